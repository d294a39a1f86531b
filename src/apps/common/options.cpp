// apps/common/options.cpp — the options layer of apps/common/options.h.
#include "apps/common/options.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "apps/common/yaml_config.h"

namespace cw::apps {
namespace {

std::string long_name(const CLI::Option& option) {
  return option.get_lnames().empty() ? option.get_name() : "--" + option.get_lnames().front();
}

std::string upper_snake(std::string text) {
  for (auto& c : text) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return text;
}

std::optional<double> parse_double(const std::string& text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string number_text(double value, bool integer) {
  return integer ? fmt::format("{:.0f}", value) : fmt::format("{:g}", value);
}

// The subcommand an option belongs to, by the name of the app that owns it ("" for the root).
std::string command_of(const CLI::App& app) {
  return app.get_parent() == nullptr ? std::string{} : app.get_name();
}

}  // namespace

std::string default_env_name(const std::string& command, const std::string& flag) {
  std::string option = flag.starts_with("--") ? flag.substr(2) : flag;
  if (command.empty()) return "CW_" + upper_snake(option);
  if (option.starts_with(command + "-")) option = option.substr(command.size() + 1);
  return "CW_" + upper_snake(command) + "_" + upper_snake(option);
}

std::string yaml_key_of(const std::string& command, const std::string& flag) {
  std::string key = flag.starts_with("--") ? flag.substr(2) : flag;
  std::replace(key.begin(), key.end(), '-', '_');
  return command.empty() ? key : command + "." + key;
}

std::string option_places(const CLI::Option& option, const std::string& command) {
  const auto flag = long_name(option);
  const auto& env = option.get_envname();
  return fmt::format("(flag {}, environment {}, YAML {})", flag, env.empty() ? "none" : env,
                     option.get_configurable() ? yaml_key_of(command, flag) : "none");
}

void throw_usage(const CLI::App& command, const std::string& flag, const std::string& why) {
  const auto* option = command.get_option_no_throw(flag);
  if (option == nullptr) throw CLI::ValidationError(flag, why);
  throw CLI::ValidationError(flag, why + " " + option_places(*option, command_of(command)));
}

TextCheck number_in(double min, double max, const std::string& unit, bool integer) {
  return [=](const std::string& text) -> std::string {
    const auto value = parse_double(text);
    if (value && *value >= min && *value <= max && (!integer || std::floor(*value) == *value))
      return {};
    return fmt::format("'{}' is not {} from {} to {}{}{}", text,
                       integer ? "an integer" : "a number", number_text(min, integer),
                       number_text(max, integer), unit.empty() ? "" : " ", unit);
  };
}

CLI::Validator in_range(double min, double max, const std::string& unit, bool integer) {
  auto check = number_in(min, max, unit, integer);
  return CLI::Validator([check](std::string& text) { return check(text); },
                        fmt::format("{}{}{}..{}", unit, unit.empty() ? "" : " ",
                                    number_text(min, integer), number_text(max, integer)));
}

TextCheck member_of(std::vector<std::string> allowed) {
  return [allowed = std::move(allowed)](const std::string& text) -> std::string {
    if (std::find(allowed.begin(), allowed.end(), text) != allowed.end()) return {};
    return fmt::format("'{}' is not one of {}", text, fmt::join(allowed, ", "));
  };
}

OptionDecl& OptionDecl::env(const std::string& name) {
  option_->envname(name);
  return *this;
}

OptionDecl& OptionDecl::old_env(const std::string& name) {
  owner_.add_old_env(name, option_);
  return *this;
}

OptionDecl& OptionDecl::no_env() {
  option_->envname("");
  return *this;
}

OptionDecl& OptionDecl::check(TextCheck check, const std::string& description) {
  // The places are looked up when the check runs: the variable may be renamed after declaring.
  const CLI::Option* option = option_;
  const std::string command = owner_.name();
  option_->check(CLI::Validator(
      [check = std::move(check), option, command](std::string& text) -> std::string {
        auto why = check(text);
        return why.empty() ? why : why + " " + option_places(*option, command);
      },
      description));
  return *this;
}

OptionDecl& OptionDecl::range(double min, double max, const std::string& unit) {
  return check(number_in(min, max, unit),
               fmt::format("{}{}{:g}..{:g}", unit, unit.empty() ? "" : " ", min, max));
}

OptionDecl& OptionDecl::integer_range(long long min, long long max, const std::string& unit) {
  return check(number_in(static_cast<double>(min), static_cast<double>(max), unit, true),
               fmt::format("{}{}{}..{}", unit, unit.empty() ? "" : " ", min, max));
}

OptionDecl& OptionDecl::one_of(std::vector<std::string> allowed) {
  const auto description = fmt::format("{}", fmt::join(allowed, "|"));
  return check(member_of(std::move(allowed)), description);
}

OptionDecl& OptionDecl::yaml_alias(const std::string& dotted_key) {
  if (auto* config = yaml_config_of(owner_.command()))
    config->add_alias(dotted_key, owner_.name(), long_name(*option_).substr(2));
  return *this;
}

OptionDecl& OptionDecl::required() {
  option_->required();
  return *this;
}

OptionDecl& OptionDecl::show_default() {
  option_->capture_default_str();
  return *this;
}

CommandOptions::CommandOptions(CLI::App& command)
    : command_(command),
      name_(command.get_name()),
      old_envs_(std::make_shared<std::vector<OldEnv>>()) {
  // When this command is the one chosen, and before CLI11 reads the environment: an older
  // variable that is set stands for its new one (unless that is set too), with a warning.
  command_.preparse_callback([envs = old_envs_, name = name_](std::size_t) {
    for (const auto& [old_name, option] : *envs) {
      const char* value = std::getenv(old_name.c_str());
      const auto& new_name = option->get_envname();
      if (value == nullptr || new_name.empty() || std::getenv(new_name.c_str()) != nullptr)
        continue;
      ::setenv(new_name.c_str(), value, 0);
      std::fprintf(stderr, "chronowatch %s: warning: %s is the old name of %s; please rename it\n",
                   name.c_str(), old_name.c_str(), new_name.c_str());
    }
  });
}

OptionDecl CommandOptions::declare(CLI::Option* option) {
  option->envname(default_env_name(name_, long_name(*option)));
  return OptionDecl(*this, option);
}

void CommandOptions::add_old_env(const std::string& old_name, const CLI::Option* option) {
  old_envs_->push_back({old_name, option});
}

void CommandOptions::warn_when_used(CLI::Option* old, const std::string& old_flag,
                                    const std::string& flag, const std::string& note) {
  const auto command = name_;
  old->each([command, old_flag, flag, note](const std::string&) {
    std::fprintf(stderr, "chronowatch %s: warning: %s is the old spelling of %s%s%s\n",
                 command.c_str(), old_flag.c_str(), flag.c_str(), note.empty() ? "" : "; ",
                 note.c_str());
  });
}

void apply_option_conventions(CLI::App& root) {
  for (auto* command : root.get_subcommands([](const CLI::App*) { return true; })) {
    for (auto* option : command->get_options()) {
      if (option->get_lnames().empty() || !option->get_envname().empty()) continue;
      if (option->get_group().empty()) continue;  // hidden aliases
      const auto flag = long_name(*option);
      if (flag == "--help" || flag == "--help-all") continue;
      option->envname(default_env_name(command->get_name(), flag));
    }
  }
}

std::string usage_error_line(const CLI::App& root, const CLI::Error& error) {
  std::string message = error.what();
  const CLI::App* chosen = nullptr;
  for (const auto* sub : root.get_subcommands()) chosen = sub;
  const std::string command = chosen ? chosen->get_name() : std::string{};
  // A message about an option that does not name its places yet gets them.
  if (message.find("environment ") == std::string::npos && chosen != nullptr) {
    const auto start = message.find("--");
    if (start != std::string::npos) {
      auto end = start + 2;
      while (end < message.size() &&
             (std::isalnum(static_cast<unsigned char>(message[end])) || message[end] == '-'))
        ++end;
      const auto flag = message.substr(start, end - start);
      if (const auto* option = chosen->get_option_no_throw(flag))
        message += " " + option_places(*option, command);
      else if (const auto* root_option = root.get_option_no_throw(flag))
        message += " " + option_places(*root_option, "");
    }
  }
  std::replace(message.begin(), message.end(), '\n', ' ');
  return fmt::format("chronowatch{}{}: {}", command.empty() ? "" : " ", command, message);
}

std::string normalized_log_level(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text == "warning") return "warn";
  if (text == "fatal") return "critical";
  if (text == "err") return "error";
  return text;
}

}  // namespace cw::apps
