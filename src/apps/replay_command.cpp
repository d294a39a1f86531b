// apps/replay_command.cpp — `chronowatch replay`: not built yet (placeholder until its issue lands).
#include "apps/commands.h"

namespace cw::apps {

void add_replay_command(CLI::App& app, CommandBody& /*run*/) {
  app.add_subcommand("replay", "(not available yet)")->group("");
}

}  // namespace cw::apps
