// detect/packet.h — own decoding of captured frames into the header fields the network detectors
// use: link layers (Ethernet + VLAN/QinQ, Linux cooked SLL/SLL2, raw IP, BSD loopback), IPv4 and
// IPv6 (with extension headers), TCP, UDP, ICMP and ICMPv6 (with the quoted header of errors).
// Pure and allocation-free: the result holds spans into the caller's frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/ip_address.h"
#include "core/link_type.h"
#include "core/time.h"

namespace cw::detect {

enum class Transport : std::uint8_t { none, tcp, udp, icmp, icmpv6, other };

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10,
                              urg = 0x20;
}

// The IP + transport header an ICMP error quotes (RFC 792 "Destination Unreachable", RFC 4443
// §3.1): who sent the packet that failed, to which port.
struct QuotedHeader {
  bool present = false;
  Transport transport = Transport::none;
  IpAddress source;
  IpAddress destination;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
};

struct DecodedPacket {
  Timestamp time{};
  IpAddress source;
  IpAddress destination;
  std::uint8_t ip_protocol = 0;  // IPv4 protocol / IPv6 final next header
  Transport transport = Transport::none;
  bool later_fragment = false;  // a non-first fragment: no transport header in it
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint8_t tcp_flags = 0;
  std::uint32_t tcp_seq = 0;
  std::uint32_t tcp_ack = 0;
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
  bool unreachable = false;            // ICMP type 3 / ICMPv6 type 1
  QuotedHeader quoted;                 // filled for unreachables that quote enough
  std::span<const std::byte> payload;  // transport payload (what was captured of it)

  bool has(std::uint8_t flag) const { return (tcp_flags & flag) != 0; }
};

enum class DecodeStatus : std::uint8_t {
  ok,
  not_ip,     // a frame we do not look into (ARP, LLDP, ...): counted, not an error
  truncated,  // shorter than its headers say (snap length or a cut frame)
  malformed,  // header fields that cannot be right (bad version, lengths below minimum)
  unsupported_link,
};
std::string_view to_string(DecodeStatus status);

// Decodes `frame` (as captured, of link type `link`) into `out`. On anything but ok, `out` holds
// whatever was decoded before the problem and must not be used by detectors.
DecodeStatus decode_packet(LinkType link, std::span<const std::byte> frame, Timestamp time,
                           DecodedPacket& out);

}  // namespace cw::detect
