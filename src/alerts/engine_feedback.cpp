// alerts/engine_feedback.cpp — the operator's side of the engine: acknowledgements, false
// positives (which become suppressions), silences, and the read-only views.
#include <fmt/format.h>

#include <algorithm>

#include "alerts/engine.h"

namespace cw::alerts {
namespace {

// The labels a false positive's scope pins, taken from the alert's first event.
Labels scope_labels(const Alert& alert, SuppressionScope scope) {
  Labels out;
  if (scope == SuppressionScope::rule) return out;
  const auto& sample = alert.sample;
  if (auto source = sample.find("source"); source != sample.end())
    out["source"] = source->second;
  else if (auto agent = sample.find("agent"); agent != sample.end())
    out["agent"] = agent->second;
  if (scope == SuppressionScope::source_destination)
    if (auto destination = sample.find("destination"); destination != sample.end())
      out["destination"] = destination->second;
  return out;
}

}  // namespace

Result<Alert, std::string> AlertEngine::acknowledge(const std::string& alert_id,
                                                    const std::string& by, Timestamp) {
  auto found = alerts_.find(alert_id);
  if (found == alerts_.end()) return tl::unexpected(fmt::format("no alert {}", alert_id));
  auto& alert = found->second;
  if (!alert.acknowledged) {
    alert.acknowledged = true;
    alert.acknowledged_by = by;
    ++counters_.by_rule[alert.rule].acknowledged;
    if (auto type = alert.sample.find("type"); type != alert.sample.end())
      ++counters_.by_detector[type->second].acknowledged;
    touch(alert.id);
  }
  return alert;
}

Result<Suppression, std::string> AlertEngine::mark_false_positive(const std::string& alert_id,
                                                                  const FalsePositive& verdict,
                                                                  Timestamp now) {
  auto found = alerts_.find(alert_id);
  if (found == alerts_.end()) return tl::unexpected(fmt::format("no alert {}", alert_id));
  auto& alert = found->second;
  Suppression suppression;
  suppression.id = fmt::format("s{}", next_id_++);
  suppression.scope = verdict.scope;
  suppression.rule = alert.rule;
  suppression.match = scope_labels(alert, verdict.scope);
  suppression.reason = verdict.reason;
  suppression.from_alert = alert.id;
  suppression.created = now;
  suppression.expires = verdict.expires;
  if (!alert.false_positive) {
    alert.false_positive = true;
    ++counters_.by_rule[alert.rule].false_positive;
    if (auto type = alert.sample.find("type"); type != alert.sample.end())
      ++counters_.by_detector[type->second].false_positive;
  }
  touch(alert.id);
  resolve(alert, "false_positive", now);
  suppressions_.push_back(suppression);
  return suppression;
}

Result<Alert, std::string> AlertEngine::escalate(const std::string& alert_id, const std::string&,
                                                 Timestamp) {
  auto found = alerts_.find(alert_id);
  if (found == alerts_.end()) return tl::unexpected(fmt::format("no alert {}", alert_id));
  auto& alert = found->second;
  if (!alert.escalated) {
    alert.escalated = true;
    if (alert.severity < events::Severity::critical)
      alert.severity = static_cast<events::Severity>(static_cast<int>(alert.severity) + 1);
    alert.labels["severity"] = std::string(events::to_string(alert.severity));
    alert.changed = true;
    alert.last_notified = Timestamp{};  // the update goes at the next flush
    ++counters_.by_rule[alert.rule].escalated;
    if (auto type = alert.sample.find("type"); type != alert.sample.end())
      ++counters_.by_detector[type->second].escalated;
    pending_.insert(alert.id);
    touch(alert.id);
  }
  return alert;
}

Silence AlertEngine::add_silence(Silence silence, Timestamp now) {
  if (silence.id.empty()) silence.id = fmt::format("q{}", next_id_++);
  if (silence.starts == Timestamp{}) silence.starts = now;
  silences_.push_back(silence);
  return silence;
}

bool AlertEngine::expire_silence(const std::string& id, Timestamp now) {
  for (auto& silence : silences_)
    if (silence.id == id) {
      silence.ends = std::min(silence.ends, now);
      for (const auto& [key, open] : open_) pending_.insert(open);
      return true;
    }
  return false;
}

bool AlertEngine::remove_suppression(const std::string& id) {
  const auto before = suppressions_.size();
  std::erase_if(suppressions_, [&](const Suppression& s) { return s.id == id; });
  return suppressions_.size() != before;
}

std::vector<Alert> AlertEngine::alerts() const {
  std::vector<Alert> out;
  out.reserve(order_.size());
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) out.push_back(alerts_.at(*it));
  return out;
}

std::optional<Alert> AlertEngine::alert(const std::string& id) const {
  auto found = alerts_.find(id);
  if (found == alerts_.end()) return std::nullopt;
  return found->second;
}

std::vector<Silence> AlertEngine::silences() const { return silences_; }
std::vector<Suppression> AlertEngine::suppressions() const { return suppressions_; }

}  // namespace cw::alerts
