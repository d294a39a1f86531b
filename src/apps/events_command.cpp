// apps/events_command.cpp — `chronowatch events`: not built yet (placeholder until its issue lands).
#include "apps/commands.h"

namespace cw::apps {

void add_events_command(CLI::App& app, CommandBody& /*run*/) {
  app.add_subcommand("events", "(not available yet)")->group("");
}

}  // namespace cw::apps
