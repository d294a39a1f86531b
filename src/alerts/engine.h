// alerts/engine.h — the alerting core: events in (each once, with the collector's `now`), alerts
// grouped by rule and group labels out, as notifications to deliver (firing, updated, resolved).
// Silences, suppressions, acknowledgements and false positives are applied here. Pure: time comes
// from the caller; the shell delivers the notifications and stores nothing of this.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "alerts/feedback.h"
#include "alerts/rules.h"

namespace cw::alerts {

enum class AlertStatus { firing, resolved };
std::string_view to_string(AlertStatus status);

struct Alert {
  std::string id;  // stable: derived from the group key and when the alert opened
  std::string rule;
  std::string group_key;  // rule{label="value",...}
  Labels labels;          // alertname (the rule), severity, the group labels
  Labels sample;          // every label of the first event (false-positive scopes come from it)
  events::Severity severity = events::Severity::info;
  std::string summary;  // one line an operator reads first
  std::uint64_t count = 0;
  Timestamp first_seen, last_seen;    // the collector's clock (an agent's may be wrong)
  Timestamp first_event, last_event;  // the events' own timestamps
  AlertStatus status = AlertStatus::firing;
  std::optional<Timestamp> resolved_at;
  std::string resolved_by;  // the clearing event type, "ended", "resolve_timeout", "false_positive"
  std::deque<std::string> members;  // the latest member event ids (agent:sequence)
  bool acknowledged = false;
  std::string acknowledged_by;
  bool escalated = false;  // an operator raised it (one severity up, notified again at once)
  bool false_positive = false;
  std::string silenced_by;
  std::uint64_t revision = 0;  // notifications made of it
  std::uint64_t serial = 0;    // opening order
  // delivery bookkeeping
  bool notified_firing = false, notified_resolved = false, changed = false;
  Timestamp last_notified;
};

// One message to deliver; `id` is stable ("alert id/revision") so receivers can de-duplicate.
struct Notification {
  std::string id;
  Alert alert;
};

struct EngineState;  // alerts/state.h

// The alerts that changed since the last take_changes (to store), and those forgotten.
struct AlertChanges {
  std::vector<Alert> changed;
  std::vector<std::string> forgotten;
};

class AlertEngine {
 public:
  explicit AlertEngine(AlertsConfig config = default_config());

  // New rules apply to the next event; open alerts keep their rule name and grouping.
  void set_config(AlertsConfig config);
  const AlertsConfig& config() const { return config_; }
  // Several collectors on one store: this one's name, mixed into the ids of alerts that events it
  // made itself open (incidents: each collector numbers its own), so that two collectors'
  // different incidents never share an id. Agents' events are not affected (engine.cpp).
  void set_origin(std::string origin) { origin_ = std::move(origin); }
  // The highest sequence already stored per agent: events at or below it are resends.
  void seed_sequence(const std::string& agent_id, std::uint64_t sequence);

  std::vector<Notification> observe(const events::Event& event, Timestamp now);
  // Resolve timeouts, delayed updates, silences that ended; call every second or so.
  std::vector<Notification> tick(Timestamp now);

  // The operator's side (REST API, console). Errors say what was not found.
  Result<Alert, std::string> acknowledge(const std::string& alert_id, const std::string& by,
                                         Timestamp now);
  Result<Suppression, std::string> mark_false_positive(const std::string& alert_id,
                                                       const FalsePositive& verdict, Timestamp now);
  // One severity up (critical stays), notified again at once.
  Result<Alert, std::string> escalate(const std::string& alert_id, const std::string& by,
                                      Timestamp now);
  Silence add_silence(Silence silence, Timestamp now);
  bool expire_silence(const std::string& id, Timestamp now);
  bool remove_suppression(const std::string& id);

  std::vector<Alert> alerts() const;                   // newest first
  std::size_t firing() const { return open_.size(); }  // without copying every alert
  std::optional<Alert> alert(const std::string& id) const;
  std::vector<Silence> silences() const;
  std::vector<Suppression> suppressions() const;
  const EngineCounters& counters() const { return counters_; }
  std::uint64_t next_id() const { return next_id_; }

  // Persistence (the shell stores what these say, alerts/state.h encodes it): the state a
  // restarted collector resumes from, and what changed since the last call.
  void restore(EngineState state);
  AlertChanges take_changes();

 private:
  bool duplicate(const events::Event& event);
  void resolve_cleared(const events::Event& event, const Labels& labels, Timestamp now);
  bool suppressed(const Rule& rule, const Labels& labels, const events::Event& event,
                  Timestamp now);
  Alert& group(const Rule& rule, const Labels& labels, const events::Event& event, Timestamp now);
  void resolve(Alert& alert, std::string by, Timestamp now);
  std::vector<Notification> flush(Timestamp now);
  std::optional<Notification> next_notification(Alert& alert, Timestamp now);
  const Silence* silenced(const Alert& alert, Timestamp now);
  void forget_old();
  void touch(const std::string& id) { touched_.insert(id); }

  AlertsConfig config_;
  std::map<std::string, Alert> alerts_;        // by id
  std::map<std::string, std::string> open_;    // group key → id of its open alert
  std::deque<std::string> order_;              // ids, oldest first (bounded history)
  std::set<std::string> pending_;              // alerts that may have something to notify
  std::set<std::string> touched_, forgotten_;  // since the last take_changes
  std::map<std::string, std::uint64_t> sequences_;
  std::vector<Silence> silences_;
  std::vector<Suppression> suppressions_;
  std::uint64_t next_id_ = 1;
  std::string origin_;
  EngineCounters counters_;
};

}  // namespace cw::alerts
