// apps/common/options.h — the one options layer of every command. An option is declared once, with
// its flag, its environment variable, its YAML key, its unit and its range; its value is checked
// while the command line is parsed, and every complaint is one line naming all three places
// ("--threshold: 'x' is not a number from 1e-06 to 1e+09 seconds (flag --threshold, environment
// THRESHOLD, YAML agent.threshold)"), which main prints before exiting with status 2.
//
// Names, the same in every command:
//   flag         --kebab-case; one meaning per name in every command (an older spelling stays as an
//                alias that warns, see alias())
//   environment  CW_<COMMAND>_<OPTION> (`agent --poll-interval` → CW_AGENT_POLL_INTERVAL; an option
//                named after its command is not doubled: `agent --agent-id` → CW_AGENT_ID), except
//                the seeds' own names kept as written (THRESHOLD, NTP_SRV, MQTT_HOST, MQTT_PORT,
//                MQTT_TOPIC and the agent's other MQTT_* settings; NTP_SECRET_KEY) and what every
//                command shares (CW_LOG_LEVEL, CW_DB, CW_DATA_DIR)
//   YAML         <command>.<snake_case> in --config (`agent: {poll_interval: 64}`)
//
// Options added with plain CLI11 calls still work: apply_option_conventions() gives them their
// CW_<COMMAND>_<OPTION> variable, and main names the three places of any complaint about them.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cw::apps {

// "(flag --x, environment CW_CMD_X, YAML cmd.x)" for `flag` of `command` (the command's name).
std::string option_places(const CLI::Option& option, const std::string& command);
std::string default_env_name(const std::string& command, const std::string& flag);
std::string yaml_key_of(const std::string& command, const std::string& flag);

// A usage error about `flag` of `command`, naming its places: thrown from a parse callback, it ends
// the process with status 2. `why` says what is wrong and, where it helps, what to do.
[[noreturn]] void throw_usage(const CLI::App& command, const std::string& flag,
                              const std::string& why);

// Checks of one value in text form: an empty string when the value is fine, else why not (the
// places are appended by the layer).
using TextCheck = std::function<std::string(const std::string& text)>;
TextCheck number_in(double min, double max, const std::string& unit, bool integer = false);
TextCheck member_of(std::vector<std::string> allowed);

// The same checks as CLI11 validators, for options declared with plain CLI11 calls (main adds the
// places to the message): cmd->add_option(...)->check(in_range(0, 17, "log2 s", true)).
CLI::Validator in_range(double min, double max, const std::string& unit, bool integer = false);

class CommandOptions;

// One declared option, refined by chaining: opts.add("--burst", s.burst, "...").range(1, 8, "").
class OptionDecl {
 public:
  OptionDecl(CommandOptions& owner, CLI::Option* option) : owner_(owner), option_(option) {}
  OptionDecl& env(const std::string& name);      // a seed's variable instead of CW_<COMMAND>_<...>
  OptionDecl& old_env(const std::string& name);  // an older variable, still read, with a warning
  OptionDecl& no_env();                          // not settable by the environment
  OptionDecl& range(double min, double max, const std::string& unit);
  OptionDecl& integer_range(long long min, long long max, const std::string& unit = "");
  OptionDecl& one_of(std::vector<std::string> allowed);
  OptionDecl& check(TextCheck check, const std::string& description = "");
  // A YAML key outside the command's section that means this option (seed 002's
  // `zeromq.publisher.endpoint` is `agent --collector`).
  OptionDecl& yaml_alias(const std::string& dotted_key);
  OptionDecl& required();
  OptionDecl& show_default();
  CLI::Option* operator->() const { return option_; }
  CLI::Option* get() const { return option_; }

 private:
  CommandOptions& owner_;
  CLI::Option* option_;
};

// The options of one command (a CLI11 subcommand of the root app).
class CommandOptions {
 public:
  explicit CommandOptions(CLI::App& command);

  template <typename T>
  OptionDecl add(const std::string& flag, T& value, const std::string& help) {
    return declare(command_.add_option(flag, value, help));
  }
  OptionDecl flag(const std::string& flag, bool& value, const std::string& help) {
    return declare(command_.add_flag(flag, value, help));
  }
  // An older spelling of `flag` (same variable), accepted with a warning that says what to write.
  template <typename T>
  void alias(const std::string& old_flag, const std::string& flag, T& value,
             const std::string& note = "") {
    auto* old = command_.add_option(old_flag, value, "")->group("");
    warn_when_used(old, old_flag, flag, note);
  }
  void flag_alias(const std::string& old_flag, const std::string& flag, bool& value,
                  const std::string& note = "") {
    auto* old = command_.add_flag(old_flag, value, "")->group("");
    warn_when_used(old, old_flag, flag, note);
  }

  CLI::App& command() { return command_; }
  const std::string& name() const { return name_; }

 private:
  friend class OptionDecl;
  OptionDecl declare(CLI::Option* option);
  void warn_when_used(CLI::Option* old, const std::string& old_flag, const std::string& flag,
                      const std::string& note);
  void add_old_env(const std::string& old_name, const CLI::Option* option);

  CLI::App& command_;
  std::string name_;
  struct OldEnv {
    std::string old_name;
    const CLI::Option* option;
  };
  std::shared_ptr<std::vector<OldEnv>> old_envs_;
};

// After every command has registered its options: every option without a variable gets its
// CW_<COMMAND>_<OPTION> one (so options added with plain CLI11 calls follow the scheme too).
void apply_option_conventions(CLI::App& root);

// The one line main prints for a parse error: "chronowatch COMMAND: MESSAGE (flag ..., environment
// ..., YAML ...)", the places added when the message is about an option and does not name them.
std::string usage_error_line(const CLI::App& root, const CLI::Error& error);

// Log level names as users write them: any case, and Python's WARNING, CRITICAL, FATAL.
std::string normalized_log_level(std::string text);

}  // namespace cw::apps
