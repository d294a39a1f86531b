// detect/netmon_config.cpp — allow-rule matching and validation for detect/netmon_config.h.
#include "detect/netmon_config.h"

namespace cw::detect {

bool AllowRule::matches(const IpAddress& src, const IpAddress& dst, std::uint16_t p) const {
  if (!source.contains(src)) return false;
  if (destination && !destination->contains(dst)) return false;
  return !port || *port == p;
}

std::optional<std::string> validate(const NetmonConfig& c) {
  const auto& ps = c.port_scan;
  if (ps.threshold == 0) return "port_scan_threshold: must be at least 1";
  if (c.connection_flood.max_connections_per_ip == 0)
    return "max_connections_per_ip: must be at least 1";
  if (!(ps.theta0 > 0 && ps.theta0 < 1 && ps.theta1 > 0 && ps.theta1 < ps.theta0))
    return "port_scan.theta0/theta1: need 0 < theta1 < theta0 < 1";
  if (!(ps.alpha > 0 && ps.alpha < 1 && ps.beta > ps.alpha && ps.beta < 1))
    return "port_scan.alpha/beta: need 0 < alpha < beta < 1";
  if (ps.window <= Duration::zero()) return "port_scan.window: must be positive";
  if (ps.probe_timeout <= Duration::zero()) return "port_scan.probe_timeout: must be positive";
  if (c.syn_flood.interval <= Duration::zero()) return "syn_flood.interval: must be positive";
  if (c.syn_flood.threshold <= 0) return "syn_flood.threshold: must be positive";
  if (c.syn_flood.allowance < 0) return "syn_flood.allowance: must not be negative";
  if (c.connection_flood.window <= Duration::zero())
    return "connection_flood.window: must be positive";
  if (c.modbus.sweep_threshold < 2) return "modbus.sweep_threshold: must be at least 2";
  if (c.attack_idle <= Duration::zero()) return "attack_idle: must be positive";
  if (c.report_interval <= Duration::zero()) return "report_interval: must be positive";
  if (c.adaptive.weight <= 0 || c.adaptive.weight >= 1)
    return "adaptive.weight: need 0 < weight < 1";
  if (c.adaptive.k < 0) return "adaptive.k: must not be negative";
  for (auto size : {ps.max_sources, ps.max_contacts, ps.max_probes, c.syn_flood.max_destinations,
                    c.connection_flood.max_sources, c.sensitive.max_entries,
                    c.modbus.max_transactions, c.modbus.max_pairs})
    if (size == 0 || size > (1u << 26)) return "table sizes (max_*): need 1 to 67108864 entries";
  return std::nullopt;
}

}  // namespace cw::detect
