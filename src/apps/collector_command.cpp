// apps/collector_command.cpp — `chronowatch collector`: not built yet (placeholder until its issue lands).
#include "apps/commands.h"

namespace cw::apps {

void add_collector_command(CLI::App& app, CommandBody& /*run*/) {
  app.add_subcommand("collector", "(not available yet)")->group("");
}

}  // namespace cw::apps
