// detect/net/flow/flow_config.cpp — allow-rule matching, the YAML reader and the checks of
// detect/net/flow/flow_config.h.
#include "detect/net/flow/flow_config.h"

namespace cw::detect {
namespace {

Reader allowlist(std::vector<AllowRule>& rules) {
  return [&rules](const YAML::Node& node, const std::string& key) {
    if (!node.IsSequence())
      bad_key(key, "expected a list like [{src: 10.0.0.30, dst: 10.0.0.10, port: 22}]");
    for (std::size_t i = 0; i < node.size(); ++i) {
      const auto where = key + "[" + std::to_string(i) + "]";
      AllowRule rule;
      bool has_source = false;
      if (node[i].IsScalar()) {
        rule.source = prefix(node[i], where);
        has_source = true;
      } else {
        read_map(node[i], where,
                 {
                     {"src",
                      [&](const YAML::Node& n, const std::string& k) {
                        rule.source = prefix(n, k);
                        has_source = true;
                      }},
                     {"dst", [&](const YAML::Node& n,
                                 const std::string& k) { rule.destination = prefix(n, k); }},
                     {"port",
                      [&](const YAML::Node& n, const std::string& k) { rule.port = port(n, k); }},
                 });
      }
      if (!has_source) bad_key(where + ".src", "missing (the source the rule allows)");
      rules.push_back(rule);
    }
  };
}

Reader sub_map(Readers readers) {
  return [readers = std::move(readers)](const YAML::Node& n, const std::string& k) {
    read_map(n, k, readers);
  };
}

}  // namespace

bool AllowRule::matches(const IpAddress& src, const IpAddress& dst, std::uint16_t p) const {
  if (!source.contains(src)) return false;
  if (destination && !destination->contains(dst)) return false;
  return !port || *port == p;
}

void add_flow_readers(FlowConfig& c, Readers& readers) {
  auto& ps = c.port_scan;
  auto& sf = c.syn_flood;
  auto& cf = c.connection_flood;
  auto& sp = c.sensitive;
  readers["port_scan_threshold"] = number(ps.threshold);
  readers["max_connections_per_ip"] = number(cf.max_connections_per_ip);
  readers["suspicious_ports"] = port_list(sp.suspicious_ports);
  readers["scada_ports"] = port_list(sp.scada_ports);
  readers["extra_scada_ports"] = port_list(sp.extra_scada_ports);
  readers["allowlist"] = allowlist(sp.allowlist);
  readers["port_scan"] = sub_map({{"window", duration(ps.window)},
                                  {"probe_timeout", duration(ps.probe_timeout)},
                                  {"theta0", number(ps.theta0)},
                                  {"theta1", number(ps.theta1)},
                                  {"alpha", number(ps.alpha)},
                                  {"beta", number(ps.beta)},
                                  {"max_sources", number(ps.max_sources)},
                                  {"max_contacts", number(ps.max_contacts)},
                                  {"max_probes", number(ps.max_probes)}});
  readers["syn_flood"] = sub_map({{"interval", duration(sf.interval)},
                                  {"allowance", number(sf.allowance)},
                                  {"threshold", number(sf.threshold)},
                                  {"scan_sources", number(sf.scan_sources)},
                                  {"max_destinations", number(sf.max_destinations)}});
  readers["connection_flood"] =
      sub_map({{"window", duration(cf.window)}, {"max_sources", number(cf.max_sources)}});
  readers["sensitive_ports"] = sub_map(
      {{"dedupe_window", duration(sp.dedupe_window)}, {"max_entries", number(sp.max_entries)}});
  readers["adaptive"] = sub_map({{"enabled", boolean(c.adaptive.enabled)},
                                 {"k", number(c.adaptive.k)},
                                 {"weight", number(c.adaptive.weight)},
                                 {"min_samples", number(c.adaptive.min_samples)}});
}

std::optional<std::string> validate(const FlowConfig& c) {
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
  if (c.adaptive.weight <= 0 || c.adaptive.weight >= 1)
    return "adaptive.weight: need 0 < weight < 1";
  if (c.adaptive.k < 0) return "adaptive.k: must not be negative";
  for (auto size : {ps.max_sources, ps.max_contacts, ps.max_probes, c.syn_flood.max_destinations,
                    c.connection_flood.max_sources, c.sensitive.max_entries})
    if (size == 0 || size > (1u << 26)) return "table sizes (max_*): need 1 to 67108864 entries";
  return std::nullopt;
}

}  // namespace cw::detect
