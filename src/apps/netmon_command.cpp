// apps/netmon_command.cpp — `chronowatch netmon`: not built yet (placeholder until its issue lands).
#include "apps/commands.h"

namespace cw::apps {

void add_netmon_command(CLI::App& app, CommandBody& /*run*/) {
  app.add_subcommand("netmon", "(not available yet)")->group("");
}

}  // namespace cw::apps
