// apps/main.cpp — the `chronowatch` binary: builds the command line, reads flags, environment
// and the YAML config file (in that order of precedence), and runs the chosen subcommand.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "apps/common/commands.h"
#include "apps/common/exit_codes.h"
#include "apps/common/yaml_config.h"

namespace {

constexpr const char* kDescription =
    "chronowatch — watches the integrity of time and of the network.\n"
    "Run `chronowatch COMMAND --help` for a command's options.";

// Logs go to stderr, always: stdout carries results (JSON lines, reports) that scripts read.
void configure_logging(const std::string& level) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("chronowatch"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cw::apps;
  CLI::App app{kDescription, "chronowatch"};
  app.require_subcommand(1, 1);
  app.fallthrough();  // `chronowatch agent --config F` reaches the root's --config
  app.set_version_flag("--version", CW_VERSION);
  app.set_config("--config", "", "YAML config file; a section per command, e.g. `agent:`");
  app.config_formatter(std::make_shared<YamlConfig>(app));
  app.allow_config_extras(CLI::config_extras_mode::ignore);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->envname("CW_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

  CommandBody run;
  add_query_command(app, run);
  add_serve_command(app, run);
  add_agent_command(app, run);
  add_netmon_command(app, run);
  add_keygen_command(app, run);
  add_collector_command(app, run);
  add_events_command(app, run);
  add_agents_command(app, run);
  add_replay_command(app, run);
  add_simulate_command(app, run);
  add_up_command(app, run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }
  configure_logging(log_level);
  if (!run) {
    std::fprintf(stderr, "chronowatch: this command is not available in this build\n");
    return kExitUsage;
  }
  try {
    return run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "chronowatch: %s\n", error.what());
    return kExitFailure;
  }
}
