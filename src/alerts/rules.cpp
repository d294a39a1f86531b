// alerts/rules.cpp — the built-in rules and rule lookup.
#include "alerts/rules.h"

namespace cw::alerts {
namespace {

using events::EventType;

Rule rule(std::string name, std::string_view match, std::vector<std::string> group_by) {
  Rule r;
  r.name = std::move(name);
  r.match = parse_matcher(match).value();
  r.group_by = std::move(group_by);
  return r;
}

Rule quiet(std::string name, std::string_view match) {
  auto r = rule(std::move(name), match, {});
  r.alert = false;
  return r;
}

}  // namespace

std::vector<Rule> default_rules() {
  std::vector<Rule> rules;
  rules.push_back(quiet("lifecycle",
                        "type=heartbeat|agent_start|agent_stop|agent_up|ntp_recovered|"
                        "time_drift_cleared|events_suppressed"));
  auto incident = rule("incident", "type=incident", {"incident", "server", "source"});
  incident.resolve_when_ended = true;
  incident.group_window = 1h;
  rules.push_back(incident);
  // The detectors' own types (detect/), then the kinds older agents reported them under.
  rules.push_back(rule("time_tampering", "type=time_tampering", {"agent", "kind"}));
  rules.push_back(rule("ntp_wire", "type=ntp_anomaly", {"agent", "source", "kind"}));
  rules.push_back(rule("time_tampering_kind", "kind=*tamper*", {"agent"}));
  rules.push_back(
      rule("ntp_wire_kind", "kind=ntp_*|*amplification*|rogue*", {"agent", "source", "kind"}));
  auto drift = rule("time_drift", "type=time_drift|frequency_drift", {"agent"});
  drift.resolve_on = {EventType::time_drift_cleared};
  drift.group_window = 1h;  // a drifting clock repeats its report at growing intervals
  rules.push_back(drift);
  rules.push_back(rule("clock_step", "type=clock_step", {"agent"}));
  auto servers =
      rule("ntp_server", "type=falseticker|server_unsynchronized|kiss_of_death|ntp_unreachable",
           {"agent", "server", "type"});
  servers.resolve_on = {EventType::ntp_recovered};
  rules.push_back(servers);
  auto scans = rule("scan", "type=port_scan|address_scan", {"agent", "source"});
  scans.resolve_when_ended = true;
  rules.push_back(scans);
  auto floods = rule("flood", "type=syn_flood|connection_flood", {"agent", "type"});
  floods.resolve_when_ended = true;
  rules.push_back(floods);
  rules.push_back(rule("modbus", "type=modbus_anomaly", {"agent", "source", "kind"}));
  rules.push_back(
      rule("sensitive_port", "type=sensitive_port_access", {"agent", "source", "port"}));
  auto down = rule("agent_down", "type=agent_down", {"agent"});
  down.resolve_on = {EventType::agent_up};
  down.resolve_timeout = Duration::zero();  // until it comes back
  rules.push_back(down);
  rules.push_back(rule("other", "severity>=medium", {"agent", "type"}));
  rules.push_back(quiet("info", ""));
  return rules;
}

AlertsConfig default_config() {
  AlertsConfig config;
  config.rules = default_rules();
  return config;
}

const Rule* first_match(const std::vector<Rule>& rules, const Labels& labels) {
  for (const auto& r : rules)
    if (matches(r.match, labels)) return &r;
  return nullptr;
}

std::string_view to_string(ReceiverKind kind) {
  switch (kind) {
    case ReceiverKind::webhook:
      return "webhook";
    case ReceiverKind::alertmanager:
      return "alertmanager";
    case ReceiverKind::slack:
      return "slack";
    case ReceiverKind::email:
      return "email";
  }
  return "unknown";
}

}  // namespace cw::alerts
