// tests/unit/detect/frames.h — builds captured frames byte by byte (Ethernet, VLAN, SLL/SLL2,
// IPv4/IPv6, TCP/UDP/ICMP, Modbus ADUs) for the detector tests, big-endian like the wire.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/ip_address.h"
#include "detect/packet.h"

namespace cw::detect::test {

using Frame = std::vector<std::byte>;

inline void put8(Frame& f, unsigned v) { f.push_back(static_cast<std::byte>(v & 0xff)); }
inline void put16(Frame& f, unsigned v) {
  put8(f, v >> 8);
  put8(f, v);
}
inline void put32(Frame& f, std::uint32_t v) {
  put16(f, v >> 16);
  put16(f, v & 0xffff);
}
inline void put(Frame& f, const Frame& more) { f.insert(f.end(), more.begin(), more.end()); }
inline Frame bytes(std::initializer_list<unsigned> list) {
  Frame f;
  for (auto v : list) put8(f, v);
  return f;
}

inline IpAddress ip(const char* text) { return *IpAddress::parse(text); }

inline Frame tcp(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags,
                 const Frame& payload = {}, std::uint32_t seq = 1000, std::uint32_t ack = 0) {
  Frame f;
  put16(f, sport);
  put16(f, dport);
  put32(f, seq);
  put32(f, ack);
  put8(f, 5 << 4);
  put8(f, flags);
  put16(f, 65535);
  put16(f, 0);
  put16(f, 0);
  put(f, payload);
  return f;
}

inline Frame udp(std::uint16_t sport, std::uint16_t dport, const Frame& payload = {}) {
  Frame f;
  put16(f, sport);
  put16(f, dport);
  put16(f, static_cast<unsigned>(8 + payload.size()));
  put16(f, 0);
  put(f, payload);
  return f;
}

inline Frame ipv4(const char* src, const char* dst, std::uint8_t protocol, const Frame& l4,
                  std::uint16_t fragment = 0) {
  Frame f;
  put8(f, 0x45);
  put8(f, 0);
  put16(f, static_cast<unsigned>(20 + l4.size()));
  put16(f, 1);
  put16(f, fragment);
  put8(f, 64);
  put8(f, protocol);
  put16(f, 0);
  put32(f, ip(src).v4_host_order());
  put32(f, ip(dst).v4_host_order());
  put(f, l4);
  return f;
}

inline Frame ipv6(const char* src, const char* dst, std::uint8_t next, const Frame& rest) {
  Frame f;
  put32(f, 0x60000000);
  put16(f, static_cast<unsigned>(rest.size()));
  put8(f, next);
  put8(f, 64);
  const auto source = ip(src), destination = ip(dst);
  for (auto b : source.bytes()) put8(f, b);
  for (auto b : destination.bytes()) put8(f, b);
  put(f, rest);
  return f;
}

inline Frame ethernet(const Frame& l3, std::initializer_list<unsigned> vlan_types = {},
                      unsigned type = 0x0800) {
  Frame f(12, std::byte{0x02});
  for (auto tag : vlan_types) {
    put16(f, tag);
    put16(f, 100);
  }
  put16(f, type);
  put(f, l3);
  return f;
}

// An IPv4/TCP frame on Ethernet.
inline Frame tcp4(const char* src, const char* dst, std::uint16_t sport, std::uint16_t dport,
                  std::uint8_t flags, const Frame& payload = {}) {
  return ethernet(ipv4(src, dst, 6, tcp(sport, dport, flags, payload)));
}
inline Frame udp4(const char* src, const char* dst, std::uint16_t sport, std::uint16_t dport,
                  const Frame& payload = {}) {
  return ethernet(ipv4(src, dst, 17, udp(sport, dport, payload)));
}
// ICMP port unreachable from `router` quoting a UDP datagram src:sport → dst:dport.
inline Frame icmp_unreachable4(const char* router, const char* src, const char* dst,
                               std::uint16_t sport, std::uint16_t dport) {
  Frame icmp = bytes({3, 3, 0, 0, 0, 0, 0, 0});
  put(icmp, ipv4(src, dst, 17, udp(sport, dport)));
  return ethernet(ipv4(router, src, 1, icmp));
}

// A Modbus/TCP ADU: MBAP (transaction, protocol 0, length, unit 1) + function + data.
inline Frame modbus(std::uint16_t transaction, std::uint8_t function, const Frame& data,
                    std::uint16_t protocol = 0) {
  Frame f;
  put16(f, transaction);
  put16(f, protocol);
  put16(f, static_cast<unsigned>(2 + data.size()));
  put8(f, 1);
  put8(f, function);
  put(f, data);
  return f;
}

}  // namespace cw::detect::test
