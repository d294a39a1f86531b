// detect/netmon_config.cpp — the `network_monitor:` reader and checks of detect/netmon_config.h:
// each detector family adds its own keys.
#include "detect/netmon_config.h"

namespace cw::detect {

std::optional<std::string> validate(const NetmonConfig& c) {
  if (auto problem = validate(static_cast<const FlowConfig&>(c))) return problem;
  if (auto problem = validate(c.modbus)) return problem;
  if (auto problem = validate(c.ntp)) return problem;
  if (c.attack_idle <= Duration::zero()) return "attack_idle: must be positive";
  if (c.report_interval <= Duration::zero()) return "report_interval: must be positive";
  return std::nullopt;
}

NetmonConfig read_netmon_config(const YAML::Node& section) {
  NetmonConfig config;
  if (!section || section.IsNull()) return config;
  Readers detection;
  add_flow_readers(config, detection);
  add_modbus_readers(config.modbus, detection);
  add_ntp_readers(config.ntp, detection);
  detection["attack_idle"] = duration(config.attack_idle);
  detection["report_interval"] = duration(config.report_interval);
  detection["update_interval"] = duration(config.report_interval);  // issue 14's name
  read_map(section, "network_monitor",
           {{"detection",
             [&](const YAML::Node& n, const std::string& k) { read_map(n, k, detection); }}});
  if (auto problem = validate(config)) bad_key("network_monitor.detection", *problem);
  return config;
}

}  // namespace cw::detect
