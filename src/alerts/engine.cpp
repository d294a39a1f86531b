// alerts/engine.cpp — grouping events into alerts, resolving them, and deciding what to notify.
#include "alerts/engine.h"

#include <fmt/format.h>

#include <algorithm>

#include "alerts/summary.h"

namespace cw::alerts {
namespace {

// Do an open alert's labels and a clearing event's agree on every label the rule groups by (a
// label one of them lacks is no disagreement)?
bool shares_group_labels(const Rule& rule, const Labels& alert, const Labels& event) {
  for (const auto& name : rule.group_by) {
    const auto mine = alert.find(name);
    const auto theirs = event.find(name);
    if (mine != alert.end() && theirs != event.end() && mine->second != theirs->second)
      return false;
  }
  return true;
}

constexpr std::size_t kMaxMembers = 64;
constexpr std::size_t kMaxHistory = 5000;  // alerts kept (open ones are never forgotten)

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return hash;
}

// From the opening event, not `now`: the same events evaluated again from the same state (after a
// restart, alerts/state.h) open the same alert, whose notifications the outbox and receivers
// de-duplicate. An agent's numbered event opens at most one alert, so its id is the group and the
// event alone: two collectors on one store that both evaluate it (a resend after a failover) make
// the same id, and their shared outbox keeps one notification. Events the collector numbers
// itself (incidents, whose number is kept across a restart) and unnumbered ones add the opening
// order, which tells apart two alerts opened by events with the same id (as does `taken`: this
// engine already has an alert of that id, so the event was evaluated once before), and the
// collector's origin where it has one (AlertEngine::set_origin).
std::string alert_id(const std::string& key, const events::Event& event, std::uint64_t serial,
                     const std::string& origin, bool taken = false) {
  const bool agents_own =
      !taken && event.sequence != 0 && (event.sequence & events::kCollectorSequenceBit) == 0;
  const auto opening = fmt::format("{}@{}", key, event_id(event));
  if (agents_own) return fmt::format("{:016x}", fnv1a(opening));
  const auto numbered = fmt::format("{}/{}", opening, serial);
  return fmt::format("{:016x}",
                     fnv1a(origin.empty() ? numbered : fmt::format("{}@{}", numbered, origin)));
}

std::string group_key(const Rule& rule, const Labels& labels) {
  std::string key = rule.name + "{";
  bool first = true;
  for (const auto& name : rule.group_by) {
    const auto found = labels.find(name);
    if (found == labels.end()) continue;
    key += fmt::format("{}{}=\"{}\"", first ? "" : ",", name, found->second);
    first = false;
  }
  return key + "}";
}

bool is_ended(const Labels& labels) {
  const auto phase = labels.find("phase");
  return phase != labels.end() && phase->second == "ended";
}

}  // namespace

std::string_view to_string(AlertStatus status) {
  return status == AlertStatus::firing ? "firing" : "resolved";
}

AlertEngine::AlertEngine(AlertsConfig config) : config_(std::move(config)) {}

void AlertEngine::set_config(AlertsConfig config) { config_ = std::move(config); }

void AlertEngine::seed_sequence(const std::string& agent_id, std::uint64_t sequence) {
  auto& last = sequences_[agent_id + ((sequence & events::kCollectorSequenceBit) ? "#c" : "")];
  last = std::max(last, sequence);
}

bool AlertEngine::duplicate(const events::Event& event) {
  if (event.sequence == 0) return false;  // unnumbered (tests, incidents before storing)
  const bool by_collector = (event.sequence & events::kCollectorSequenceBit) != 0;
  auto& last = sequences_[event.agent_id + (by_collector ? "#c" : "")];
  if (event.sequence <= last) return true;
  last = event.sequence;
  return false;
}

std::vector<Notification> AlertEngine::observe(const events::Event& event, Timestamp now) {
  if (duplicate(event)) {
    ++counters_.events_duplicate;
    return {};
  }
  ++counters_.events_seen;
  const auto labels = labels_of(event);
  resolve_cleared(event, labels, now);
  const Rule* rule = first_match(config_.rules, labels);
  if (rule && rule->alert && !suppressed(*rule, labels, event, now)) {
    auto& alert = group(*rule, labels, event, now);
    if (rule->resolve_when_ended && is_ended(labels)) resolve(alert, "ended", now);
  }
  return flush(now);
}

// A clearing event (time_drift_cleared, agent_up, ...) resolves the open alerts of the rules that
// name it whose group labels it shares (an absent label is not a disagreement). Most events clear
// nothing: they cost one look at the rules, not a walk of every open alert.
void AlertEngine::resolve_cleared(const events::Event& event, const Labels& labels, Timestamp now) {
  std::vector<std::string> cleared;
  for (const auto& rule : config_.rules) {
    if (std::find(rule.resolve_on.begin(), rule.resolve_on.end(), event.type) ==
        rule.resolve_on.end())
      continue;
    for (const auto& [key, id] : open_) {
      const auto& alert = alerts_.at(id);
      if (alert.rule == rule.name && shares_group_labels(rule, alert.labels, labels))
        cleared.push_back(id);
    }
  }
  // Resolve after the scan: resolving edits open_.
  const auto by = std::string(events::to_string(event.type));
  for (const auto& id : cleared)
    resolve(alerts_.at(id), by, now);  // once: a resolved alert is left as it is
}

bool AlertEngine::suppressed(const Rule& rule, const Labels& labels, const events::Event& event,
                             Timestamp now) {
  auto& by_rule = counters_.by_rule[rule.name];
  auto& by_detector = counters_.by_detector[std::string(events::to_string(event.type))];
  ++by_rule.events;
  ++by_detector.events;
  for (auto& suppression : suppressions_) {
    if (!suppression.active(now) || !suppression.applies(rule.name, labels)) continue;
    ++suppression.suppressed;
    ++by_rule.suppressed;
    ++by_detector.suppressed;
    return true;
  }
  return false;
}

Alert& AlertEngine::group(const Rule& rule, const Labels& labels, const events::Event& event,
                          Timestamp now) {
  const auto key = group_key(rule, labels);
  if (auto open = open_.find(key); open != open_.end()) {
    auto& alert = alerts_.at(open->second);
    if (now - alert.last_seen <= rule.group_window) {
      ++alert.count;
      alert.last_seen = now;
      alert.last_event = event.timestamp;
      alert.changed = true;
      if (event.severity > alert.severity && !rule.severity) {
        alert.severity = event.severity;
        alert.labels["severity"] = std::string(events::to_string(event.severity));
      }
      alert.members.push_back(event_id(event));
      if (alert.members.size() > kMaxMembers) alert.members.pop_front();
      alert.summary = summarize(rule, event, alert.count);
      pending_.insert(alert.id);
      touch(alert.id);
      return alert;
    }
    resolve(alert, "group_window", now);
  }
  Alert alert;
  alert.rule = rule.name;
  alert.group_key = key;
  alert.serial = next_id_++;
  alert.id = alert_id(key, event, alert.serial, origin_);
  if (alerts_.contains(alert.id)) alert.id = alert_id(key, event, alert.serial, origin_, true);
  alert.sample = labels;
  alert.severity = rule.severity.value_or(event.severity);
  alert.labels = {{"alertname", rule.name},
                  {"severity", std::string(events::to_string(alert.severity))}};
  for (const auto& name : rule.group_by)
    if (auto found = labels.find(name); found != labels.end()) alert.labels[name] = found->second;
  alert.count = 1;
  alert.first_seen = alert.last_seen = now;
  alert.first_event = alert.last_event = event.timestamp;
  alert.members.push_back(event_id(event));
  alert.summary = summarize(rule, event, 1);
  ++counters_.by_rule[rule.name].raised;
  ++counters_.by_detector[std::string(events::to_string(event.type))].raised;
  if (alert.severity < config_.min_severity) ++counters_.below_min_severity;
  const auto id = alert.id;
  pending_.insert(id);
  touch(id);
  open_[key] = id;
  order_.push_back(id);
  alerts_.emplace(id, std::move(alert));
  forget_old();
  return alerts_.at(id);
}

void AlertEngine::resolve(Alert& alert, std::string by, Timestamp now) {
  if (alert.status == AlertStatus::resolved) return;
  alert.status = AlertStatus::resolved;
  alert.resolved_at = now;
  alert.resolved_by = std::move(by);
  open_.erase(alert.group_key);
  pending_.insert(alert.id);
  touch(alert.id);
  ++counters_.by_rule[alert.rule].resolved;
}

// Delayed updates and ended silences go out from here. An open alert that was notified, has not
// changed since and is under no silence has nothing to send while no silence is active, so it is
// left out: queuing each of 10 000 firing agent_down alerts at every tick held the engine's lock
// for tens of milliseconds four times a second (the collector's slow /metrics scrapes waited on
// it).
std::vector<Notification> AlertEngine::tick(Timestamp now) {
  const bool silencing = std::any_of(silences_.begin(), silences_.end(),
                                     [&](const Silence& s) { return s.active(now); });
  std::vector<std::string> quiet;
  for (const auto& [key, id] : open_) {
    const auto& alert = alerts_.at(id);
    const auto rule = std::find_if(config_.rules.begin(), config_.rules.end(),
                                   [&](const Rule& r) { return r.name == alert.rule; });
    const auto timeout = rule == config_.rules.end() ? Duration(1h) : rule->resolve_timeout;
    if (timeout > Duration::zero() && now - alert.last_seen >= timeout)
      quiet.push_back(id);
    else if (silencing || alert.changed || !alert.notified_firing || !alert.silenced_by.empty())
      pending_.insert(id);
  }
  for (const auto& id : quiet) resolve(alerts_.at(id), "resolve_timeout", now);  // pending too
  return flush(now);
}

const Silence* AlertEngine::silenced(const Alert& alert, Timestamp now) {
  for (auto& silence : silences_)
    if (silence.active(now) && matches(silence.match, alert.labels)) return &silence;
  return nullptr;
}

std::optional<Notification> AlertEngine::next_notification(Alert& alert, Timestamp now) {
  if (alert.false_positive && !alert.notified_firing) return std::nullopt;
  if (alert.severity < config_.min_severity) return std::nullopt;
  const bool firing = alert.status == AlertStatus::firing;
  if (firing || !alert.notified_firing) {
    if (const auto* silence = silenced(alert, now)) {
      if (alert.silenced_by != silence->id) {
        alert.silenced_by = silence->id;
        touch(alert.id);
        ++const_cast<Silence*>(silence)->silenced;
        ++counters_.by_rule[alert.rule].silenced;
      }
      if (firing || !alert.notified_firing) return std::nullopt;
    }
  }
  if (!alert.silenced_by.empty()) touch(alert.id);
  alert.silenced_by.clear();
  const auto rule = std::find_if(config_.rules.begin(), config_.rules.end(),
                                 [&](const Rule& r) { return r.name == alert.rule; });
  const auto interval = rule == config_.rules.end() ? Duration(10min) : rule->group_window;
  bool send = false;
  if (!alert.notified_firing) {
    send = true;  // a new alert goes at once (a resolved one too: it happened)
    if (!firing) alert.notified_resolved = false;
  } else if (!firing && !alert.notified_resolved) {
    send = true;
  } else if (firing && alert.changed && now - alert.last_notified >= interval) {
    send = true;  // an update with the new count, at most once per group window
  }
  if (!send) return std::nullopt;
  // The status in the id too: two collectors holding the same alert (alert_id) count its
  // revisions each, and a resolve must not be taken for another's update of the same number.
  Notification out{fmt::format("{}/{}{}", alert.id, ++alert.revision, firing ? "" : "/resolved"),
                   alert};
  if (!alert.notified_firing) {
    out.alert.status = AlertStatus::firing;  // firing first, resolved on the next flush
    alert.notified_firing = true;
  } else if (!firing) {
    alert.notified_resolved = true;
  }
  alert.changed = false;
  alert.last_notified = now;
  touch(alert.id);
  ++counters_.by_rule[alert.rule].notified;
  ++counters_.notifications;
  return out;
}

std::vector<Notification> AlertEngine::flush(Timestamp now) {
  std::vector<Notification> out;
  // Oldest first, so that a receiver sees alerts in the order they opened (each looked up once,
  // not at every comparison of the sort).
  std::vector<std::pair<std::uint64_t, Alert*>> order;
  order.reserve(pending_.size());
  for (const auto& id : pending_)
    if (auto found = alerts_.find(id); found != alerts_.end())
      order.emplace_back(found->second.serial, &found->second);
  pending_.clear();
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [serial, alert] : order) {
    if (alert->notified_resolved) continue;
    // A resolved alert never notified goes out as firing and then as resolved.
    for (int i = 0; i < 2; ++i)
      if (auto n = next_notification(*alert, now)) out.push_back(std::move(*n));
  }
  return out;
}

void AlertEngine::forget_old() {
  while (order_.size() > kMaxHistory) {
    const auto& id = order_.front();
    auto& alert = alerts_.at(id);
    if (alert.status == AlertStatus::firing) break;
    pending_.erase(id);
    touched_.erase(id);
    forgotten_.insert(id);
    alerts_.erase(id);
    order_.pop_front();
  }
}

}  // namespace cw::alerts
