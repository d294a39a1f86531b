// alerts/matcher.cpp — matching labels and reading/writing the matcher's text form.
#include "alerts/matcher.h"

#include <fmt/format.h>

namespace cw::alerts {
namespace {

constexpr std::size_t kMaxItems = 32;
constexpr std::size_t kMaxValue = 256;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string_view unquote(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front())
    return text.substr(1, text.size() - 2);
  return text;
}

bool any_matches(const LabelMatch& item, std::string_view value) {
  for (const auto& pattern : item.patterns)
    if (glob_match(pattern, value)) return true;
  return false;
}

bool has_glob(std::string_view text) { return text.find_first_of("*?") != std::string_view::npos; }

Result<void, std::string> check_value(std::string_view label, std::string_view value) {
  if (label == "type" && !has_glob(value) && !events::parse_event_type(value))
    return tl::unexpected(fmt::format("unknown event type '{}'", value));
  if (label == "severity" && !has_glob(value) && !events::parse_severity(value))
    return tl::unexpected(fmt::format("unknown severity '{}'", value));
  return {};
}

}  // namespace

bool matches(const Matcher& matcher, const Labels& labels) {
  if (matcher.min_severity) {
    const auto found = labels.find("severity");
    const auto severity =
        found == labels.end() ? std::nullopt : events::parse_severity(found->second);
    if (!severity || *severity < *matcher.min_severity) return false;
  }
  for (const auto& item : matcher.labels) {
    const auto found = labels.find(item.name);
    const std::string_view value = found == labels.end() ? std::string_view{} : found->second;
    if (any_matches(item, value) == item.negate) return false;
  }
  return true;
}

Result<void, std::string> add_match_item(Matcher& matcher, std::string_view label,
                                         std::string_view op, std::string_view value) {
  label = trim(label);
  value = unquote(trim(value));
  if (!is_known_label(label))
    return tl::unexpected(fmt::format(
        "unknown label '{}' (type, severity, agent, kind, source, destination, port, server, "
        "incident, phase)",
        label));
  if (value.size() > kMaxValue) return tl::unexpected(fmt::format("value of '{}' too long", label));
  if (matcher.labels.size() >= kMaxItems) return tl::unexpected(std::string("more than 32 items"));
  if (op == ">=") {
    if (label != "severity")
      return tl::unexpected(fmt::format("'>=' is for severity, not '{}'", label));
    auto severity = events::parse_severity(value);
    if (!severity) return tl::unexpected(fmt::format("unknown severity '{}'", value));
    matcher.min_severity = *severity;
    return {};
  }
  LabelMatch item{std::string(label), {}, op == "!="};
  while (true) {
    const auto bar = value.find('|');
    const auto pattern = trim(value.substr(0, bar));
    if (pattern.empty()) return tl::unexpected(fmt::format("empty pattern for '{}'", label));
    if (pattern.find_first_of(",\"'{}") != std::string_view::npos)
      return tl::unexpected(fmt::format("pattern '{}' has one of , \" ' {{ }}", pattern));
    if (auto ok = check_value(label, pattern); !ok) return ok;
    item.patterns.emplace_back(pattern);
    if (bar == std::string_view::npos) break;
    value.remove_prefix(bar + 1);
  }
  matcher.labels.push_back(std::move(item));
  return {};
}

Result<Matcher, std::string> parse_matcher(std::string_view text) {
  Matcher matcher;
  text = trim(text);
  if (text.size() >= 2 && text.front() == '{' && text.back() == '}')
    text = text.substr(1, text.size() - 2);
  while (!trim(text).empty()) {
    const auto comma = text.find(',');
    const auto item = trim(text.substr(0, comma));
    const auto op_at = item.find_first_of("!>=");
    if (op_at == std::string_view::npos || op_at == 0)
      return tl::unexpected(fmt::format("matcher item '{}' is not label=value", item));
    std::string_view op = item.substr(op_at, 1);
    if (item[op_at] != '=') {
      if (op_at + 1 >= item.size() || item[op_at + 1] != '=')
        return tl::unexpected(fmt::format("matcher item '{}': expected =, != or >=", item));
      op = item.substr(op_at, 2);
    }
    if (auto ok =
            add_match_item(matcher, item.substr(0, op_at), op, item.substr(op_at + op.size()));
        !ok)
      return tl::unexpected(fmt::format("matcher item '{}': {}", item, ok.error()));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return matcher;
}

std::string to_string(const Matcher& matcher) {
  std::string out;
  for (const auto& item : matcher.labels) {
    if (!out.empty()) out += ", ";
    out += item.name + (item.negate ? "!=" : "=");
    for (std::size_t i = 0; i < item.patterns.size(); ++i) out += (i ? "|" : "") + item.patterns[i];
  }
  if (matcher.min_severity)
    out += fmt::format("{}severity>={}", out.empty() ? "" : ", ",
                       events::to_string(*matcher.min_severity));
  return out;
}

}  // namespace cw::alerts
