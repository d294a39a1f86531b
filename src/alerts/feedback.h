// alerts/feedback.h — what operators say about alerts: silences (a matcher with an expiry and a
// comment: nothing matching is notified meanwhile) and suppressions (made from a false positive:
// events of that scope no longer alert, each one counted), and the counters that show which rule
// and detector to tune.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "alerts/matcher.h"
#include "core/time.h"

namespace cw::alerts {

struct Silence {
  std::string id;
  Matcher match;
  Timestamp starts;
  Timestamp ends;
  std::string comment;
  std::string created_by;
  std::uint64_t silenced = 0;  // alerts it kept quiet
  bool active(Timestamp now) const { return starts <= now && now < ends; }
};

// A false positive's scope: the rule for this source, for this source and destination, or the
// whole rule. Clock alerts have no network source: their agent stands for it.
enum class SuppressionScope { source, source_destination, rule };
std::string_view to_string(SuppressionScope scope);
std::optional<SuppressionScope> parse_scope(std::string_view text);

struct Suppression {
  std::string id;
  SuppressionScope scope = SuppressionScope::source;
  std::string rule;
  Labels match;  // exact label values ("source"/"agent", "destination") besides the rule
  std::string reason;
  std::string from_alert;
  Timestamp created;
  std::optional<Timestamp> expires;
  std::uint64_t suppressed = 0;  // events it kept from alerting
  bool active(Timestamp now) const { return !expires || now < *expires; }
  bool applies(const std::string& rule_name, const Labels& labels) const;
};

struct FalsePositive {
  std::string reason;
  SuppressionScope scope = SuppressionScope::source;
  std::optional<Timestamp> expires;
  std::string by;
};

// Per rule and per detector (event type).
struct FeedbackCounters {
  std::uint64_t events = 0;    // matching events
  std::uint64_t raised = 0;    // alerts opened
  std::uint64_t notified = 0;  // notifications produced
  std::uint64_t acknowledged = 0;
  std::uint64_t false_positive = 0;
  std::uint64_t suppressed = 0;  // events a suppression kept from alerting
  std::uint64_t silenced = 0;    // alerts a silence kept quiet
  std::uint64_t resolved = 0;
  std::uint64_t escalated = 0;  // alerts an operator escalated
};

struct EngineCounters {
  std::map<std::string, FeedbackCounters> by_rule;
  std::map<std::string, FeedbackCounters> by_detector;
  std::uint64_t events_seen = 0;
  std::uint64_t events_duplicate = 0;  // an agent's sequence already seen (resent)
  std::uint64_t notifications = 0;
  std::uint64_t below_min_severity = 0;  // alerts tracked but not notified
  std::uint64_t incidents = 0;
};

}  // namespace cw::alerts
