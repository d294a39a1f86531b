// detect/net/modbus/modbus_config.cpp — the YAML reader and checks of
// detect/net/modbus/modbus_config.h.
#include "detect/net/modbus/modbus_config.h"

namespace cw::detect {

void add_modbus_readers(ModbusConfig& m, Readers& readers) {
  readers["modbus"] = [&m](const YAML::Node& node, const std::string& key) {
    read_map(node, key,
             {
                 {"authorized_masters", prefix_list(m.authorized_masters)},
                 {"ports", port_list(m.ports)},
                 {"sweep_threshold", number(m.sweep_threshold)},
                 {"sweep_window", duration(m.sweep_window)},
                 {"request_timeout", duration(m.request_timeout)},
                 {"unmatched_threshold", number(m.unmatched_threshold)},
                 {"dedupe_window", duration(m.dedupe_window)},
                 {"max_transactions", number(m.max_transactions)},
                 {"max_pairs", number(m.max_pairs)},
             });
  };
}

std::optional<std::string> validate(const ModbusConfig& m) {
  if (m.sweep_threshold < 2) return "modbus.sweep_threshold: must be at least 2";
  for (auto size : {m.max_transactions, m.max_pairs})
    if (size == 0 || size > (1u << 26)) return "table sizes (max_*): need 1 to 67108864 entries";
  return std::nullopt;
}

}  // namespace cw::detect
