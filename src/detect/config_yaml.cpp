// detect/config_yaml.cpp — the checked scalars and strict mappings of detect/config_yaml.h.
#include "detect/config_yaml.h"

#include <cmath>

namespace cw::detect {

void bad_key(const std::string& key, const std::string& why) {
  throw ConfigError(key + ": " + why);
}

void read_map(const YAML::Node& node, const std::string& where, const Readers& readers) {
  if (!node.IsMap()) bad_key(where, "expected a mapping of keys");
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) bad_key(where, "keys must be plain names");
    const auto name = entry.first.Scalar();
    const auto key = where + "." + name;
    const auto reader = readers.find(name);
    if (reader == readers.end()) bad_key(key, "unknown key");
    reader->second(entry.second, key);
  }
}

Duration seconds(const YAML::Node& node, const std::string& key) {
  const double s = scalar<double>(node, key, "a number of seconds");
  if (!(s > 0) || !std::isfinite(s) || s > 1e7)
    bad_key(key, "must be a positive number of seconds");
  return from_seconds(s);
}

std::uint16_t port(const YAML::Node& node, const std::string& key) {
  const auto value = scalar<long long>(node, key, "a port number");
  if (value < 1 || value > 65535)
    bad_key(key, "port must be 1..65535, got " + std::to_string(value));
  return static_cast<std::uint16_t>(value);
}

std::vector<std::uint16_t> ports(const YAML::Node& node, const std::string& key) {
  if (!node.IsSequence()) bad_key(key, "expected a list of ports, e.g. [22, 502]");
  std::vector<std::uint16_t> out;
  for (std::size_t i = 0; i < node.size(); ++i)
    out.push_back(port(node[i], key + "[" + std::to_string(i) + "]"));
  return out;
}

IpPrefix prefix(const YAML::Node& node, const std::string& key) {
  const auto text = scalar<std::string>(node, key, "an address or prefix");
  auto parsed = IpPrefix::parse(text);
  if (!parsed) bad_key(key, "not an IP address or prefix: '" + text + "'");
  return *parsed;
}

Reader duration(Duration& field) {
  return [&field](const YAML::Node& n, const std::string& key) { field = seconds(n, key); };
}

Reader port_list(std::vector<std::uint16_t>& field) {
  return [&field](const YAML::Node& n, const std::string& key) { field = ports(n, key); };
}

Reader prefix_list(std::vector<IpPrefix>& field) {
  return [&field](const YAML::Node& n, const std::string& key) {
    if (!n.IsSequence()) bad_key(key, "expected a list of addresses or prefixes");
    for (std::size_t i = 0; i < n.size(); ++i)
      field.push_back(prefix(n[i], key + "[" + std::to_string(i) + "]"));
  };
}

Reader boolean(bool& field) {
  return [&field](const YAML::Node& n, const std::string& key) {
    field = scalar<bool>(n, key, "true or false");
  };
}

}  // namespace cw::detect
