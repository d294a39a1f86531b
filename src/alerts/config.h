// alerts/config.h — the `alerts:` section of the YAML config (or a rules file holding only that
// section), validated whole: a file that does not parse or a rule that does not validate is
// refused with one line saying where and why, so the caller keeps its previous rules.
//
//   alerts:
//     min_severity: medium          # below it: tracked, not notified
//     defaults: true                # the built-in rules follow yours (false: only yours)
//     rules:
//       - name: lab-scans           # unique; the alert's alertname
//         match: "type=port_scan|address_scan, agent=lab-*"   # or a map {type: port_scan, ...}
//         alert: true               # false: matching events never alert
//         severity: high            # default: the worst event's
//         group_by: [agent, source]
//         group_window: 10m         # 500ms, 30s, 10m, 1h, 1d or a number of seconds
//         resolve_timeout: 1h       # 0: only a clearing event resolves it
//         resolve_on: [time_drift_cleared]
//         resolve_when_ended: true  # an attack's final report resolves it
//     silences:
//       - {match: "agent=lab-*", ends: "2026-12-31T00:00:00Z", comment: maintenance}
//     correlation: {fleet_min_agents: 5, fleet_fraction: 0.2, fleet_window: 5m,
//                   campaign_min_agents: 2, campaign_window: 10m}
//     receivers:
//       - {name: ops, webhook: "https://...", match: "severity>=high", secret_file: /etc/...}
//       - {name: am, alertmanager: "http://127.0.0.1:9093"}
//       - {name: chat, slack: "https://hooks.slack.com/..."}
//       - {name: mail, smtp: "mail:587", from: a@x, to: [b@x], starttls: true,
//          username: u, password_file: /etc/...}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerts/feedback.h"
#include "alerts/rules.h"

namespace cw::alerts {

struct LoadedConfig {
  AlertsConfig config;
  std::vector<Silence> silences;  // with ids "config-N"
};

// `in_config_file`: the text is chronowatch's whole --config file, of which only an `alerts:`
// section counts (none: the defaults); otherwise a rules file, with or without that key.
Result<LoadedConfig, std::string> parse_alerts_config(std::string_view yaml_text,
                                                      bool in_config_file = false);

// "500ms", "30s", "10m", "1h", "1d", or a plain number of seconds.
Result<Duration, std::string> parse_duration(std::string_view text);

}  // namespace cw::alerts
