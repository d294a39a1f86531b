// apps/agent_command.cpp — `chronowatch agent`: not built yet (placeholder until its issue lands).
#include "apps/commands.h"

namespace cw::apps {

void add_agent_command(CLI::App& app, CommandBody& /*run*/) {
  app.add_subcommand("agent", "(not available yet)")->group("");
}

}  // namespace cw::apps
