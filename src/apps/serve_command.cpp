// apps/serve_command.cpp — `chronowatch serve`: not built yet (placeholder until its issue lands).
#include "apps/commands.h"

namespace cw::apps {

void add_serve_command(CLI::App& app, CommandBody& /*run*/) {
  app.add_subcommand("serve", "(not available yet)")->group("");
}

}  // namespace cw::apps
