// tests/unit/apps/common/options_test.cpp — the options layer (apps/common/options.h): names of
// variables and keys, checks that name flag, variable and key, older spellings and variables that
// warn, and the YAML loader's aliases, structured sections and unknown keys.
#include "apps/common/options.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "apps/common/yaml_config.h"
#include "support/temp_dir.h"

namespace cw::apps {
namespace {

TEST(OptionNames, VariablesAndKeysFollowTheScheme) {
  EXPECT_EQ(default_env_name("agent", "--poll-interval"), "CW_AGENT_POLL_INTERVAL");
  EXPECT_EQ(default_env_name("agent", "--agent-id"), "CW_AGENT_ID");  // not CW_AGENT_AGENT_ID
  EXPECT_EQ(default_env_name("", "--log-level"), "CW_LOG_LEVEL");
  EXPECT_EQ(yaml_key_of("serve", "--min-poll"), "serve.min_poll");
  EXPECT_EQ(normalized_log_level("WARNING"), "warn");
  EXPECT_EQ(normalized_log_level("DEBUG"), "debug");
  EXPECT_EQ(normalized_log_level("Critical"), "critical");
}

struct App {
  CLI::App root{"test", "chronowatch"};
  CLI::App* agent = root.add_subcommand("agent");
  CommandOptions options{*agent};
  double threshold = 300;
  int burst = 4;
  std::string collector;
  App() {
    root.config_formatter(std::make_shared<YamlConfig>(root));
    root.set_config("--config");
    options.add("--threshold", threshold, "").env("THRESHOLD").range(0.001, 1e9, "seconds");
    options.add("--burst", burst, "").integer_range(1, 8).old_env("CW_BURST");
    options.add("--collector", collector, "").yaml_alias("zeromq.publisher.endpoint");
    options.alias("--old-collector", "--collector", collector);
    apply_option_conventions(root);
  }
  std::string error_of(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());
    try {
      root.parse(args);
    } catch (const CLI::ParseError& error) {
      return usage_error_line(root, error);
    }
    return "";
  }
};

TEST(CommandOptions, ABadValueNamesFlagVariableAndKey) {
  App app;
  EXPECT_EQ(app.error_of({"agent", "--threshold", "soon"}),
            "chronowatch agent: --threshold: 'soon' is not a number from 0.001 to 1e+09 seconds "
            "(flag --threshold, environment THRESHOLD, YAML agent.threshold)");
  App other;
  EXPECT_NE(other.error_of({"agent", "--burst", "9"}).find("environment CW_AGENT_BURST"),
            std::string::npos);
}

TEST(CommandOptions, AnOlderVariableStillWorks) {
  ::unsetenv("CW_AGENT_BURST");
  ::setenv("CW_BURST", "7", 1);
  App app;
  EXPECT_EQ(app.error_of({"agent"}), "");
  EXPECT_EQ(app.burst, 7);
  ::unsetenv("CW_BURST");
  ::unsetenv("CW_AGENT_BURST");
}

TEST(CommandOptions, AnOlderSpellingStillWorks) {
  App app;
  EXPECT_EQ(app.error_of({"agent", "--old-collector", "tcp://127.0.0.1:5555"}), "");
  EXPECT_EQ(app.collector, "tcp://127.0.0.1:5555");
}

TEST(YamlConfig, AliasesMapAndTheDocumentIsKeptForStructuredReaders) {
  cw::testing::TempDir dir;
  std::ofstream(dir / "c.yaml") << "agent:\n  threshold: 120\nzeromq:\n  publisher:\n"
                                   "    endpoint: tcp://127.0.0.1:5555\n"
                                   "network_monitor:\n  detection:\n    port_scan_threshold: 5\n";
  App app;
  if (auto* config = yaml_config_of(app.root)) config->add_structured_section("network_monitor");
  EXPECT_EQ(app.error_of({"--config", (dir / "c.yaml").string(), "agent"}), "");
  EXPECT_EQ(app.threshold, 120);
  EXPECT_EQ(app.collector, "tcp://127.0.0.1:5555");
  const auto& document = loaded_config(*app.agent);
  EXPECT_EQ(document["network_monitor"]["detection"]["port_scan_threshold"].as<int>(), 5);
}

TEST(YamlConfig, WrittenValuesReadBackAsGiven) {
  for (const std::string value :
       {"plain", "a: b # c", "quote \" and \\ back", "tab\tline\nend", "", "- 1", "\x01\x7f", "é"})
    EXPECT_EQ(YAML::Load("k: " + yaml_quoted(value))["k"].as<std::string>(), value) << value;
  App app;
  EXPECT_EQ(app.error_of({"agent", "--threshold", "7", "--collector", "tcp://h:1"}), "");
  const auto written = YamlConfig(app.root).to_config(app.agent, false, false, "");
  EXPECT_EQ(YAML::Load(written)["threshold"].as<double>(), 7) << written;
  EXPECT_EQ(YAML::Load(written)["collector"].as<std::string>(), "tcp://h:1") << written;
}

}  // namespace
}  // namespace cw::apps
