// detect/netmon_config.h — what the network detectors are told: `network_monitor: detection:`,
// one config struct per detector family (each in its folder, with its YAML reader beside it) and
// what they share (when an attack has ended, how often an ongoing one is summarised). Plain data
// with the seed's defaults; read_netmon_config() reads the parsed YAML section.
#pragma once

#include <optional>
#include <string>

#include "detect/config_yaml.h"
#include "detect/net/flow/flow_config.h"
#include "detect/net/modbus/modbus_config.h"
#include "detect/net/ntp/ntp_config.h"

namespace cw::detect {

struct NetmonConfig : FlowConfig {  // port_scan, syn_flood, connection_flood, sensitive, adaptive
  ModbusConfig modbus;
  NtpConfig ntp;
  Duration attack_idle = 10s;      // an attack with no new activity for this long has ended
  Duration report_interval = 60s;  // an attack still going is summarised this often
};

// Checks values that the types cannot: returns the offending key (as in the YAML) and why, or
// nothing when the configuration is usable.
std::optional<std::string> validate(const NetmonConfig& config);

// Reads the `network_monitor:` mapping (its only key is `detection:`); throws ConfigError naming
// the key on anything unknown or bad.
NetmonConfig read_netmon_config(const YAML::Node& section);

}  // namespace cw::detect
