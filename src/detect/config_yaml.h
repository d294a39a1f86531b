// detect/config_yaml.h — the small vocabulary every detector's YAML reader is written in: a
// reader per key, mappings whose keys must all be known, and checked scalars (seconds, ports,
// prefixes, non-negative numbers). Readers parse yaml-cpp nodes handed to them (no file is opened
// here); a bad or unknown key is one ConfigError naming the key as written in the file.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/ip_address.h"
#include "core/time.h"

namespace cw::detect {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Reader = std::function<void(const YAML::Node&, const std::string& key)>;
using Readers = std::map<std::string, Reader>;

[[noreturn]] void bad_key(const std::string& key, const std::string& why);

// Reads a mapping whose keys must all be in `readers`.
void read_map(const YAML::Node& node, const std::string& where, const Readers& readers);

template <typename T>
T scalar(const YAML::Node& node, const std::string& key, const char* what) {
  try {
    if (!node.IsScalar()) bad_key(key, std::string("expected ") + what);
    return node.as<T>();
  } catch (const YAML::Exception&) {
    bad_key(key, std::string("expected ") + what + ", got '" + node.Scalar() + "'");
  }
}

Duration seconds(const YAML::Node& node, const std::string& key);
std::uint16_t port(const YAML::Node& node, const std::string& key);
std::vector<std::uint16_t> ports(const YAML::Node& node, const std::string& key);
IpPrefix prefix(const YAML::Node& node, const std::string& key);

template <typename T>
Reader number(T& field, const char* what = "a number") {
  return [&field, what](const YAML::Node& n, const std::string& key) {
    const auto value = scalar<double>(n, key, what);
    if (value < 0) bad_key(key, "must not be negative");
    // A value the field cannot hold (or NaN) is refused, not converted (undefined behaviour).
    if (!(value <= static_cast<double>(std::numeric_limits<T>::max())))
      bad_key(key, "too large (at most " + std::to_string(std::numeric_limits<T>::max()) + ")");
    field = static_cast<T>(value);
  };
}
Reader duration(Duration& field);
Reader port_list(std::vector<std::uint16_t>& field);
Reader prefix_list(std::vector<IpPrefix>& field);
Reader boolean(bool& field);

}  // namespace cw::detect
