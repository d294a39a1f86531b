// alerts/rules.h — what turns events into alerts: rules (first match wins), the built-in defaults,
// receivers' routing and the correlation settings, i.e. the whole `alerts:` section.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "alerts/matcher.h"
#include "core/time.h"

namespace cw::alerts {

using namespace std::chrono_literals;

struct Rule {
  std::string name;
  Matcher match;
  bool alert = true;                           // false: matching events never alert
  std::optional<events::Severity> severity;    // the alert's severity (default: the worst event's)
  std::vector<std::string> group_by{"agent"};  // labels that make one group (one alert)
  Duration group_window = 10min;  // events of a group this close together join one alert;
                                  // also the least time between two updates of an alert
  Duration resolve_timeout = 1h;  // resolved when the group is quiet this long
  std::vector<events::EventType> resolve_on;  // events that clear it (same agent/group labels)
  bool resolve_when_ended = false;            // an attack's final report / an ended incident
  bool operator==(const Rule&) const = default;
};

struct CorrelationConfig {
  bool enabled = true;
  std::size_t fleet_min_agents = 5;      // this many agents drifting the same way: one incident
  double fleet_fraction = 0.2;           // or this share of the agents that are up ...
  std::size_t fleet_fraction_floor = 3;  // ... when that is at least this many
  Duration fleet_window = 5min;          // drift reports this recent count
  std::size_t campaign_min_agents = 2;   // one source attacking this many agents: a campaign
  Duration campaign_window = 10min;
  std::string collector_id = "collector";  // the agent id incidents are stored under
  bool operator==(const CorrelationConfig&) const = default;
};

enum class ReceiverKind { webhook, alertmanager, slack, email };

struct ReceiverConfig {
  std::string name;
  ReceiverKind kind = ReceiverKind::webhook;
  std::string url;        // webhook, alertmanager, slack
  std::string smtp;       // email: host:port
  std::string mail_from;  // email
  std::vector<std::string> mail_to;
  std::string username, password_file;  // email: SMTP AUTH
  bool starttls = false;                // email: require STARTTLS
  std::string ca_file;                  // email: CAs to trust for its TLS
  std::string secret_file;              // webhook: HMAC-SHA256 key
  Matcher match;                        // which alerts it receives
  events::Severity min_severity = events::Severity::medium;
  bool operator==(const ReceiverConfig&) const = default;
};

struct AlertsConfig {
  std::vector<Rule> rules;  // the operator's, then (unless defaults: false) the built-in ones
  events::Severity min_severity = events::Severity::medium;  // below it: tracked, not notified
  CorrelationConfig correlation;
  std::vector<ReceiverConfig> receivers;
  bool operator==(const AlertsConfig&) const = default;
};

// time_drift, clock_step, tampering evidence, NTP server faults, NTP on the wire (amplification,
// rogue servers), scans, floods, Modbus writes and force-listen-only, sensitive ports, agent_down
// and incidents alert; heartbeats, lifecycle and info events do not.
std::vector<Rule> default_rules();
AlertsConfig default_config();

// The first rule whose matcher holds, or null.
const Rule* first_match(const std::vector<Rule>& rules, const Labels& labels);

std::string_view to_string(ReceiverKind kind);

}  // namespace cw::alerts
