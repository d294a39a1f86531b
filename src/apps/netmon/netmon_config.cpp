// apps/netmon/netmon_config.cpp — yaml-cpp reading of `network_monitor: detection:`
// (apps/netmon_config.h).
#include "apps/netmon/netmon_config.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include "apps/common/yaml_config.h"

namespace cw::apps {
namespace {

using detect::NetmonConfig;
using Reader = std::function<void(const YAML::Node&, const std::string& key)>;

[[noreturn]] void bad(const std::string& key, const std::string& why) {
  throw NetmonConfigError(key + ": " + why);
}

template <typename T>
T scalar(const YAML::Node& node, const std::string& key, const char* what) {
  try {
    if (!node.IsScalar()) bad(key, std::string("expected ") + what);
    return node.as<T>();
  } catch (const YAML::Exception&) {
    bad(key, std::string("expected ") + what + ", got '" + node.Scalar() + "'");
  }
}

Duration seconds(const YAML::Node& node, const std::string& key) {
  const double s = scalar<double>(node, key, "a number of seconds");
  if (!(s > 0) || !std::isfinite(s) || s > 1e7) bad(key, "must be a positive number of seconds");
  return from_seconds(s);
}

std::uint16_t port(const YAML::Node& node, const std::string& key) {
  const auto value = scalar<long long>(node, key, "a port number");
  if (value < 1 || value > 65535) bad(key, "port must be 1..65535, got " + std::to_string(value));
  return static_cast<std::uint16_t>(value);
}

std::vector<std::uint16_t> ports(const YAML::Node& node, const std::string& key) {
  if (!node.IsSequence()) bad(key, "expected a list of ports, e.g. [22, 502]");
  std::vector<std::uint16_t> out;
  for (std::size_t i = 0; i < node.size(); ++i)
    out.push_back(port(node[i], key + "[" + std::to_string(i) + "]"));
  return out;
}

IpPrefix prefix(const YAML::Node& node, const std::string& key) {
  const auto text = scalar<std::string>(node, key, "an address or prefix");
  auto parsed = IpPrefix::parse(text);
  if (!parsed) bad(key, "not an IP address or prefix: '" + text + "'");
  return *parsed;
}

template <typename T>
Reader number(T& field, const char* what = "a number") {
  return [&field, what](const YAML::Node& n, const std::string& key) {
    const auto value = scalar<double>(n, key, what);
    if (value < 0) bad(key, "must not be negative");
    // A value the field cannot hold (or NaN) is refused, not converted (undefined behaviour).
    if (!(value <= static_cast<double>(std::numeric_limits<T>::max())))
      bad(key, "too large (at most " + std::to_string(std::numeric_limits<T>::max()) + ")");
    field = static_cast<T>(value);
  };
}
Reader duration(Duration& field) {
  return [&field](const YAML::Node& n, const std::string& key) { field = seconds(n, key); };
}
Reader port_list(std::vector<std::uint16_t>& field) {
  return [&field](const YAML::Node& n, const std::string& key) { field = ports(n, key); };
}

// Reads a mapping whose keys must all be known.
void read_map(const YAML::Node& node, const std::string& where,
              const std::map<std::string, Reader>& readers) {
  if (!node.IsMap()) bad(where, "expected a mapping of keys");
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) bad(where, "keys must be plain names");
    const auto name = entry.first.Scalar();
    const auto key = where + "." + name;
    const auto reader = readers.find(name);
    if (reader == readers.end()) bad(key, "unknown key");
    reader->second(entry.second, key);
  }
}

Reader allowlist(std::vector<detect::AllowRule>& rules) {
  return [&rules](const YAML::Node& node, const std::string& key) {
    if (!node.IsSequence())
      bad(key, "expected a list like [{src: 10.0.0.30, dst: 10.0.0.10, port: 22}]");
    for (std::size_t i = 0; i < node.size(); ++i) {
      const auto where = key + "[" + std::to_string(i) + "]";
      detect::AllowRule rule;
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
      if (!has_source) bad(where + ".src", "missing (the source the rule allows)");
      rules.push_back(rule);
    }
  };
}

Reader modbus(detect::ModbusConfig& m) {
  return [&m](const YAML::Node& node, const std::string& key) {
    read_map(
        node, key,
        {
            {"authorized_masters",
             [&m](const YAML::Node& n, const std::string& k) {
               if (!n.IsSequence()) bad(k, "expected a list of addresses");
               for (std::size_t i = 0; i < n.size(); ++i)
                 m.authorized_masters.push_back(prefix(n[i], k + "[" + std::to_string(i) + "]"));
             }},
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

void read_detection(const YAML::Node& node, NetmonConfig& c) {
  auto& ps = c.port_scan;
  auto& sf = c.syn_flood;
  auto& cf = c.connection_flood;
  auto& sp = c.sensitive;
  const std::string where = "network_monitor.detection";
  read_map(node, where,
           {
               {"port_scan_threshold", number(ps.threshold)},
               {"max_connections_per_ip", number(cf.max_connections_per_ip)},
               {"suspicious_ports", port_list(sp.suspicious_ports)},
               {"scada_ports", port_list(sp.scada_ports)},
               {"extra_scada_ports", port_list(sp.extra_scada_ports)},
               {"allowlist", allowlist(sp.allowlist)},
               {"modbus", modbus(c.modbus)},
               {"attack_idle", duration(c.attack_idle)},
               {"report_interval", duration(c.report_interval)},
               {"port_scan",
                [&](const YAML::Node& n, const std::string& k) {
                  read_map(n, k,
                           {{"window", duration(ps.window)},
                            {"probe_timeout", duration(ps.probe_timeout)},
                            {"theta0", number(ps.theta0)},
                            {"theta1", number(ps.theta1)},
                            {"alpha", number(ps.alpha)},
                            {"beta", number(ps.beta)},
                            {"max_sources", number(ps.max_sources)},
                            {"max_contacts", number(ps.max_contacts)},
                            {"max_probes", number(ps.max_probes)}});
                }},
               {"syn_flood",
                [&](const YAML::Node& n, const std::string& k) {
                  read_map(n, k,
                           {{"interval", duration(sf.interval)},
                            {"allowance", number(sf.allowance)},
                            {"threshold", number(sf.threshold)},
                            {"max_destinations", number(sf.max_destinations)}});
                }},
               {"connection_flood",
                [&](const YAML::Node& n, const std::string& k) {
                  read_map(
                      n, k,
                      {{"window", duration(cf.window)}, {"max_sources", number(cf.max_sources)}});
                }},
               {"sensitive_ports",
                [&](const YAML::Node& n, const std::string& k) {
                  read_map(n, k,
                           {{"dedupe_window", duration(sp.dedupe_window)},
                            {"max_entries", number(sp.max_entries)}});
                }},
               {"adaptive",
                [&](const YAML::Node& n, const std::string& k) {
                  read_map(n, k,
                           {{"enabled",
                             [&](const YAML::Node& v, const std::string& kk) {
                               c.adaptive.enabled = scalar<bool>(v, kk, "true or false");
                             }},
                            {"k", number(c.adaptive.k)},
                            {"weight", number(c.adaptive.weight)},
                            {"min_samples", number(c.adaptive.min_samples)}});
                }},
           });
}

}  // namespace

detect::NetmonConfig netmon_config_from(const YAML::Node& document) {
  NetmonConfig config;
  if (document.IsNull()) return config;
  if (!document.IsMap()) bad("(top level)", "the config file must be a YAML mapping");
  const YAML::Node section = document["network_monitor"];
  if (!section) return config;
  if (section.IsNull()) return config;
  read_map(section, "network_monitor",
           {
               {"detection",
                [&](const YAML::Node& n, const std::string&) { read_detection(n, config); }},
           });
  if (auto problem = detect::validate(config)) bad("network_monitor.detection", *problem);
  return config;
}

detect::NetmonConfig parse_netmon_config(const std::string& yaml_text) {
  YAML::Node document;
  try {
    document = YAML::Load(yaml_text);
  } catch (const YAML::Exception& error) {
    throw NetmonConfigError(std::string("not valid YAML: ") + error.what());
  }
  return netmon_config_from(document);
}

void read_netmon_section(CLI::App& command) {
  if (auto* config = yaml_config_of(command)) config->add_structured_section("network_monitor");
}

detect::NetmonConfig netmon_config_for(const CLI::App& command) {
  try {
    return netmon_config_from(loaded_config(command));
  } catch (const NetmonConfigError& error) {
    throw CLI::ValidationError("--config", "config " + config_path(command) + ": " + error.what());
  }
}

}  // namespace cw::apps
