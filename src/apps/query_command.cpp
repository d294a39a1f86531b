// apps/query_command.cpp — `chronowatch query`: not built yet (placeholder until its issue lands).
#include "apps/commands.h"

namespace cw::apps {

void add_query_command(CLI::App& app, CommandBody& /*run*/) {
  app.add_subcommand("query", "(not available yet)")->group("");
}

}  // namespace cw::apps
