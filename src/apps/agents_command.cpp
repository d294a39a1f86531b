// apps/agents_command.cpp — `chronowatch agents`: not built yet (placeholder until its issue lands).
#include "apps/commands.h"

namespace cw::apps {

void add_agents_command(CLI::App& app, CommandBody& /*run*/) {
  app.add_subcommand("agents", "(not available yet)")->group("");
}

}  // namespace cw::apps
