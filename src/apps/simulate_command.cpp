// apps/simulate_command.cpp — `chronowatch simulate`: not built yet (placeholder until its issue lands).
#include "apps/commands.h"

namespace cw::apps {

void add_simulate_command(CLI::App& app, CommandBody& /*run*/) {
  app.add_subcommand("simulate", "(not available yet)")->group("");
}

}  // namespace cw::apps
