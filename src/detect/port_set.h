// detect/port_set.h — a set of TCP/UDP ports as a 65536-bit map: one load per lookup.
#pragma once

#include <bitset>
#include <cstdint>
#include <vector>

namespace cw::detect {

class PortSet {
 public:
  PortSet() = default;
  explicit PortSet(const std::vector<std::uint16_t>& ports) { add(ports); }
  void add(const std::vector<std::uint16_t>& ports) {
    for (auto p : ports) bits_.set(p);
  }
  bool contains(std::uint16_t port) const { return bits_.test(port); }

 private:
  std::bitset<65536> bits_;
};

}  // namespace cw::detect
