// alerts/matcher.h — which events (by their labels and severity) a rule, silence, suppression or
// receiver applies to. Text form, as in YAML and the API:
//   type=port_scan|address_scan, agent=lab-*, source!=10.0.0.5, severity>=high
// Each item is `label=globs` (any of the `|`-separated globs matches), `label!=globs` (none of
// them matches) or `severity>=S`; all items must hold. An empty matcher matches everything.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/labels.h"
#include "core/result.h"

namespace cw::alerts {

struct LabelMatch {
  std::string name;
  std::vector<std::string> patterns;
  bool negate = false;
  bool operator==(const LabelMatch&) const = default;
};

struct Matcher {
  std::vector<LabelMatch> labels;
  std::optional<events::Severity> min_severity;
  bool operator==(const Matcher&) const = default;
};

// Alert labels carry the severity as a label too; `severity` is read from there when no event
// severity is given.
bool matches(const Matcher& matcher, const Labels& labels);

// Errors name the item and what is wrong with it, on one line.
Result<Matcher, std::string> parse_matcher(std::string_view text);
// Adds one item (label, operator "=", "!=" or ">=", value) as YAML's map form gives it.
Result<void, std::string> add_match_item(Matcher& matcher, std::string_view label,
                                         std::string_view op, std::string_view value);

std::string to_string(const Matcher& matcher);  // parse_matcher(to_string(m)) == m

}  // namespace cw::alerts
