// detect/net/modbus/modbus_config.h — what the Modbus/TCP detector is told (seed 002's
// `modbus.authorized_masters`, plus ports, windows and table sizes), and the reader of
// `network_monitor.detection.modbus:`.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ip_address.h"
#include "core/time.h"
#include "detect/config_yaml.h"

namespace cw::detect {

using namespace std::chrono_literals;

struct ModbusConfig {
  std::vector<std::uint16_t> ports{502};
  std::vector<IpPrefix> authorized_masters;  // empty: writes are not checked
  std::uint32_t sweep_threshold = 5;         // distinct function codes refused within sweep_window
  Duration sweep_window = 10s;
  Duration request_timeout = 5s;
  std::uint32_t unmatched_threshold = 2;  // responses without request before reporting
  Duration dedupe_window = 300s;
  std::size_t max_transactions = 16384;
  std::size_t max_pairs = 4096;
};

// Adds `modbus:` to the readers of `network_monitor.detection:`.
void add_modbus_readers(ModbusConfig& config, Readers& readers);
std::optional<std::string> validate(const ModbusConfig& config);

}  // namespace cw::detect
