// alerts/config.cpp — reading and validating the `alerts:` YAML section.
#include "alerts/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <set>

namespace cw::alerts {
namespace {

using Error = tl::unexpected<std::string>;

template <typename T>
Result<T, std::string> scalar(const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) return Error(fmt::format("{}: expected a value", what));
  return node.as<T>();
}

Result<Matcher, std::string> read_matcher(const YAML::Node& node) {
  if (!node || node.IsNull()) return Matcher{};
  if (node.IsScalar()) return parse_matcher(node.Scalar());
  if (!node.IsMap()) return Error("match: expected text or a map");
  Matcher matcher;
  for (const auto& item : node) {
    const auto key = item.first.Scalar();
    const auto value = item.second.IsScalar() ? item.second.Scalar() : std::string{};
    if (!item.second.IsScalar()) return Error(fmt::format("match: {}: expected a value", key));
    const bool severity_floor = key == "severity" && value.starts_with(">=");
    if (auto ok = add_match_item(matcher, key, severity_floor ? ">=" : "=",
                                 severity_floor ? value.substr(2) : value);
        !ok)
      return Error(fmt::format("match: {}", ok.error()));
  }
  return matcher;
}

Result<Duration, std::string> read_duration(const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) return Error(fmt::format("{}: expected a duration", what));
  auto duration = parse_duration(node.Scalar());
  if (!duration) return Error(fmt::format("{}: {}", what, duration.error()));
  return duration;
}

Result<std::vector<std::string>, std::string> read_list(const YAML::Node& node,
                                                        std::string_view what) {
  std::vector<std::string> out;
  if (node.IsScalar()) return std::vector<std::string>{node.Scalar()};
  if (!node.IsSequence()) return Error(fmt::format("{}: expected a list", what));
  for (const auto& item : node) {
    if (!item.IsScalar()) return Error(fmt::format("{}: expected a list of names", what));
    out.push_back(item.Scalar());
  }
  return out;
}

Result<void, std::string> read_rule_field(Rule& rule, const std::string& key,
                                          const YAML::Node& value) {
  if (key == "name") {
    rule.name = value.Scalar();
  } else if (key == "match") {
    auto matcher = read_matcher(value);
    if (!matcher) return Error(matcher.error());
    rule.match = *matcher;
  } else if (key == "alert") {
    rule.alert = value.as<bool>();
  } else if (key == "severity") {
    auto severity = events::parse_severity(value.Scalar());
    if (!severity) return Error(fmt::format("severity: unknown '{}'", value.Scalar()));
    rule.severity = severity;
  } else if (key == "group_by") {
    auto names = read_list(value, "group_by");
    if (!names) return Error(names.error());
    for (const auto& name : *names)
      if (!is_known_label(name)) return Error(fmt::format("group_by: unknown label '{}'", name));
    rule.group_by = *names;
  } else if (key == "group_window" || key == "resolve_timeout") {
    auto duration = read_duration(value, key);
    if (!duration) return Error(duration.error());
    (key == "group_window" ? rule.group_window : rule.resolve_timeout) = *duration;
  } else if (key == "resolve_on") {
    auto names = read_list(value, "resolve_on");
    if (!names) return Error(names.error());
    rule.resolve_on.clear();
    for (const auto& name : *names) {
      auto type = events::parse_event_type(name);
      if (!type) return Error(fmt::format("resolve_on: unknown event type '{}'", name));
      rule.resolve_on.push_back(*type);
    }
  } else if (key == "resolve_when_ended") {
    rule.resolve_when_ended = value.as<bool>();
  } else {
    return Error(fmt::format("unknown key '{}'", key));
  }
  return {};
}

Result<Rule, std::string> read_rule(const YAML::Node& node) {
  if (!node.IsMap()) return Error("expected a map");
  Rule rule;
  for (const auto& item : node)
    if (auto ok = read_rule_field(rule, item.first.Scalar(), item.second); !ok)
      return Error(ok.error());
  if (rule.name.empty()) return Error("a rule needs a name");
  if (rule.group_window <= Duration::zero()) return Error("group_window must be positive");
  if (rule.resolve_timeout < Duration::zero()) return Error("resolve_timeout must not be negative");
  return rule;
}

}  // namespace

Result<Duration, std::string> parse_duration(std::string_view text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  auto [rest, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc{} || rest == text.data())
    return Error(fmt::format("'{}' is not a duration (500ms, 30s, 10m, 1h, 1d)", text));
  const std::string_view unit(rest, static_cast<std::size_t>(end - rest));
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  if (unit == "ms") scale = 1e-3;
  if (unit == "m") scale = 60;
  if (unit == "h") scale = 3600;
  if (unit == "d") scale = 86400;
  if (scale == 0 || !(value >= 0) || value * scale > 1e9)
    return Error(fmt::format("'{}' is not a duration (500ms, 30s, 10m, 1h, 1d)", text));
  return from_seconds(value * scale);
}

Result<void, std::string> read_rules(const YAML::Node& node, AlertsConfig& config);
Result<void, std::string> read_receivers(const YAML::Node& node, AlertsConfig& config);
Result<void, std::string> read_correlation(const YAML::Node& node, CorrelationConfig& config);
Result<std::vector<Silence>, std::string> read_silences(const YAML::Node& node);

Result<void, std::string> read_rules(const YAML::Node& node, AlertsConfig& config) {
  if (!node.IsSequence()) return Error("rules: expected a list");
  std::set<std::string> names;
  std::size_t index = 0;
  for (const auto& item : node) {
    ++index;
    auto rule = read_rule(item);
    if (!rule) return Error(fmt::format("[{}]: {}", index, rule.error()));
    if (!names.insert(rule->name).second)
      return Error(fmt::format("[{}]: the name '{}' is used twice", index, rule->name));
    config.rules.push_back(std::move(*rule));
  }
  return {};
}

Result<LoadedConfig, std::string> parse_alerts_config(std::string_view yaml_text,
                                                      bool in_config_file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& error) {
    return Error(fmt::format("not YAML: line {}: {}", error.mark.line + 1, error.msg));
  }
  LoadedConfig loaded;
  try {
    const bool has_section = root.IsMap() && root["alerts"];
    const auto section = has_section ? root["alerts"] : root;
    if (section.IsNull() || (in_config_file && !has_section)) {
      loaded.config = default_config();
      return loaded;
    }
    if (!section.IsMap()) return Error("alerts: expected a map");
    bool defaults = true;
    for (const auto& item : section) {
      const auto key = item.first.Scalar();
      const auto& value = item.second;
      Result<void, std::string> ok;
      if (key == "rules") {
        ok = read_rules(value, loaded.config);
      } else if (key == "defaults") {
        defaults = value.as<bool>();
      } else if (key == "min_severity") {
        auto severity = events::parse_severity(value.Scalar());
        if (!severity)
          ok = Error(fmt::format("unknown severity '{}'", value.Scalar()));
        else
          loaded.config.min_severity = *severity;
      } else if (key == "correlation") {
        ok = read_correlation(value, loaded.config.correlation);
      } else if (key == "receivers") {
        ok = read_receivers(value, loaded.config);
      } else if (key == "silences") {
        auto silences = read_silences(value);
        if (!silences)
          ok = Error(silences.error());
        else
          loaded.silences = std::move(*silences);
      } else {
        ok = Error("unknown key (rules, defaults, min_severity, correlation, receivers, silences)");
      }
      if (!ok) return Error(fmt::format("alerts: {}: {}", key, ok.error()));
    }
    if (defaults)
      for (auto& rule : default_rules()) loaded.config.rules.push_back(std::move(rule));
  } catch (const YAML::Exception& error) {
    return Error(fmt::format("alerts: line {}: {}", error.mark.line + 1, error.msg));
  }
  return loaded;
}

}  // namespace cw::alerts
