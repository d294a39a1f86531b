// alerts/feedback.cpp — suppression scopes.
#include "alerts/feedback.h"

namespace cw::alerts {

std::string_view to_string(SuppressionScope scope) {
  switch (scope) {
    case SuppressionScope::source:
      return "source";
    case SuppressionScope::source_destination:
      return "source_destination";
    case SuppressionScope::rule:
      return "rule";
  }
  return "unknown";
}

std::optional<SuppressionScope> parse_scope(std::string_view text) {
  if (text == "source") return SuppressionScope::source;
  if (text == "source_destination" || text == "source+destination")
    return SuppressionScope::source_destination;
  if (text == "rule") return SuppressionScope::rule;
  return std::nullopt;
}

bool Suppression::applies(const std::string& rule_name, const Labels& labels) const {
  if (rule_name != rule) return false;
  for (const auto& [name, value] : match) {
    const auto found = labels.find(name);
    if (found == labels.end() || found->second != value) return false;
  }
  return true;
}

}  // namespace cw::alerts
