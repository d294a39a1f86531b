// apps/keygen_command.cpp — `chronowatch keygen`: not built yet (placeholder until its issue lands).
#include "apps/commands.h"

namespace cw::apps {

void add_keygen_command(CLI::App& app, CommandBody& /*run*/) {
  app.add_subcommand("keygen", "(not available yet)")->group("");
}

}  // namespace cw::apps
