// detect/packet.cpp — header decoding for detect/packet.h. Every field is read big-endian from a
// bounds-checked offset; nothing is cast onto the frame.
#include "detect/packet.h"

#include <array>

namespace cw::detect {
namespace {

using Bytes = std::span<const std::byte>;

constexpr std::uint16_t kEtherIpv4 = 0x0800, kEtherIpv6 = 0x86dd;
constexpr std::uint16_t kEtherVlan = 0x8100, kEtherQinQ = 0x88a8, kEtherQinQOld = 0x9100;
constexpr std::uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoIcmpv6 = 58;

std::uint8_t u8(Bytes b, std::size_t at) { return static_cast<std::uint8_t>(b[at]); }
std::uint16_t u16(Bytes b, std::size_t at) {
  return static_cast<std::uint16_t>(u8(b, at) << 8 | u8(b, at + 1));
}
std::uint32_t u32(Bytes b, std::size_t at) {
  return std::uint32_t{u16(b, at)} << 16 | u16(b, at + 2);
}

IpAddress v6_at(Bytes b, std::size_t at) {
  std::array<std::uint8_t, 16> bytes{};
  for (std::size_t i = 0; i < 16; ++i) bytes[i] = u8(b, at + i);
  return IpAddress::v6(bytes);
}

// What an IP header said: where its payload is and which protocol it carries.
struct IpLayer {
  IpAddress source, destination;
  std::uint8_t protocol = 0;
  bool later_fragment = false;
  Bytes payload;
};

// RFC 791 §3.1. `quoted` is lenient about the total length (an ICMP error quotes only the start).
DecodeStatus decode_ipv4(Bytes b, bool quoted, IpLayer& ip) {
  if (b.size() < 20) return DecodeStatus::truncated;
  if ((u8(b, 0) >> 4) != 4) return DecodeStatus::malformed;
  const std::size_t header = std::size_t{u8(b, 0) & 0x0fu} * 4;
  const std::size_t total = u16(b, 2);
  if (header < 20 || (!quoted && total < header)) return DecodeStatus::malformed;
  if (b.size() < header) return DecodeStatus::truncated;
  ip.source = IpAddress::v4(u32(b, 12));
  ip.destination = IpAddress::v4(u32(b, 16));
  ip.protocol = u8(b, 9);
  ip.later_fragment = (u16(b, 6) & 0x1fff) != 0;  // fragment offset ≠ 0: no L4 header here
  const std::size_t end = quoted || total > b.size() ? b.size() : total;  // drops Ethernet padding
  ip.payload = b.subspan(header, end - header);
  return DecodeStatus::ok;
}

// RFC 8200 §4: walks the extension header chain up to the upper-layer header.
DecodeStatus decode_ipv6(Bytes b, bool quoted, IpLayer& ip) {
  if (b.size() < 40) return DecodeStatus::truncated;
  if ((u8(b, 0) >> 4) != 6) return DecodeStatus::malformed;
  ip.source = v6_at(b, 8);
  ip.destination = v6_at(b, 24);
  const std::size_t payload_length = u16(b, 4);
  std::size_t end = b.size();
  if (!quoted && payload_length != 0 && 40 + payload_length < end) end = 40 + payload_length;
  std::uint8_t next = u8(b, 6);
  std::size_t at = 40;
  for (int hops = 0; hops < 16; ++hops) {
    switch (next) {
      case 0:
      case 43:
      case 60:
      case 135:
      case 139:
      case 140: {  // hop-by-hop, routing, dest opts, ...
        if (end < at + 8) return DecodeStatus::truncated;
        const std::size_t length = (std::size_t{u8(b, at + 1)} + 1) * 8;
        next = u8(b, at);
        at += length;
        break;
      }
      case 44: {  // fragment header (§4.5)
        if (end < at + 8) return DecodeStatus::truncated;
        if ((u16(b, at + 2) & 0xfff8) != 0) ip.later_fragment = true;
        next = u8(b, at);
        at += 8;
        break;
      }
      case 51: {  // AH (RFC 4302 §2.2): length in 4-octet units minus 2
        if (end < at + 8) return DecodeStatus::truncated;
        const std::size_t length = (std::size_t{u8(b, at + 1)} + 2) * 4;
        next = u8(b, at);
        at += length;
        break;
      }
      default:
        if (at > end) return DecodeStatus::truncated;
        ip.protocol = next;
        ip.payload = b.subspan(at, end - at);
        return DecodeStatus::ok;
    }
    if (ip.later_fragment) {
      ip.protocol = next;
      ip.payload = {};
      return at > end ? DecodeStatus::truncated : DecodeStatus::ok;
    }
  }
  return DecodeStatus::malformed;  // a chain that long is not a real packet
}

DecodeStatus decode_ip(Bytes b, bool quoted, IpLayer& ip) {
  if (b.empty()) return DecodeStatus::truncated;
  const auto version = u8(b, 0) >> 4;
  if (version == 4) return decode_ipv4(b, quoted, ip);
  if (version == 6) return decode_ipv6(b, quoted, ip);
  return DecodeStatus::malformed;
}

// The quoted packet of an ICMP error: IP header plus at least the 8 bytes holding both ports.
void decode_quoted(Bytes b, QuotedHeader& q) {
  IpLayer inner;
  if (decode_ip(b, true, inner) != DecodeStatus::ok || inner.later_fragment) return;
  q.source = inner.source;
  q.destination = inner.destination;
  if (inner.protocol == kProtoTcp)
    q.transport = Transport::tcp;
  else if (inner.protocol == kProtoUdp)
    q.transport = Transport::udp;
  else
    q.transport = Transport::other;
  if (inner.payload.size() >= 4) {
    q.source_port = u16(inner.payload, 0);
    q.destination_port = u16(inner.payload, 2);
  }
  q.present = true;
}

// RFC 9293 §3.1 (TCP), RFC 768 (UDP), RFC 792 / RFC 4443 (ICMP, ICMPv6).
DecodeStatus decode_transport(const IpLayer& ip, DecodedPacket& out) {
  const Bytes b = ip.payload;
  switch (ip.protocol) {
    case kProtoTcp: {
      out.transport = Transport::tcp;
      if (b.size() < 20) return DecodeStatus::truncated;
      const std::size_t header = static_cast<std::size_t>(u8(b, 12) >> 4) * 4;
      if (header < 20) return DecodeStatus::malformed;
      if (b.size() < header) return DecodeStatus::truncated;
      out.source_port = u16(b, 0);
      out.destination_port = u16(b, 2);
      out.tcp_seq = u32(b, 4);
      out.tcp_ack = u32(b, 8);
      out.tcp_flags = u8(b, 13);
      out.payload = b.subspan(header);
      return DecodeStatus::ok;
    }
    case kProtoUdp: {
      out.transport = Transport::udp;
      if (b.size() < 8) return DecodeStatus::truncated;
      const std::size_t length = u16(b, 4);
      if (length != 0 && length < 8) return DecodeStatus::malformed;  // 0: IPv6 jumbogram
      out.source_port = u16(b, 0);
      out.destination_port = u16(b, 2);
      const std::size_t end = length == 0 || length > b.size() ? b.size() : length;
      out.payload = b.subspan(8, end - 8);
      return DecodeStatus::ok;
    }
    case kProtoIcmp:
    case kProtoIcmpv6: {
      const bool v6 = ip.protocol == kProtoIcmpv6;
      out.transport = v6 ? Transport::icmpv6 : Transport::icmp;
      if (b.size() < 8) return DecodeStatus::truncated;
      out.icmp_type = u8(b, 0);
      out.icmp_code = u8(b, 1);
      out.payload = b.subspan(8);
      out.unreachable = v6 ? out.icmp_type == 1 : out.icmp_type == 3;
      if (out.unreachable) decode_quoted(out.payload, out.quoted);
      return DecodeStatus::ok;
    }
    default:
      out.transport = Transport::other;
      out.payload = b;
      return DecodeStatus::ok;
  }
}

// Finds the network layer of a frame: its EtherType-like protocol and where it starts.
DecodeStatus network_layer(LinkType link, Bytes frame, Bytes& l3) {
  switch (link) {
    case LinkType::ethernet: {
      std::size_t at = 12;
      if (frame.size() < at + 2) return DecodeStatus::truncated;
      std::uint16_t type = u16(frame, at);
      for (int tags = 0; type == kEtherVlan || type == kEtherQinQ || type == kEtherQinQOld;
           ++tags) {
        if (tags == 4) return DecodeStatus::malformed;
        at += 4;  // 802.1Q / 802.1ad tag: TCI, then the next type
        if (frame.size() < at + 2) return DecodeStatus::truncated;
        type = u16(frame, at);
      }
      if (type != kEtherIpv4 && type != kEtherIpv6) return DecodeStatus::not_ip;
      l3 = frame.subspan(at + 2);
      return DecodeStatus::ok;
    }
    case LinkType::linux_sll:
    case LinkType::linux_sll2: {
      const bool v2 = link == LinkType::linux_sll2;
      const std::size_t header = v2 ? 20 : 16;
      if (frame.size() < header) return DecodeStatus::truncated;
      const std::uint16_t type = u16(frame, v2 ? 0 : 14);
      if (type != kEtherIpv4 && type != kEtherIpv6) return DecodeStatus::not_ip;
      l3 = frame.subspan(header);
      return DecodeStatus::ok;
    }
    case LinkType::null_loopback: {
      if (frame.size() < 4) return DecodeStatus::truncated;
      const auto family = u8(frame, 0) | u8(frame, 3);  // host order, either endianness
      if (family != 2 && family != 10 && family != 24 && family != 28 && family != 30)
        return DecodeStatus::not_ip;
      l3 = frame.subspan(4);
      return DecodeStatus::ok;
    }
    case LinkType::raw:
    case LinkType::raw_openbsd:
    case LinkType::raw_linktype:
    case LinkType::ipv4:
    case LinkType::ipv6:
      l3 = frame;
      return DecodeStatus::ok;
  }
  return DecodeStatus::unsupported_link;
}

}  // namespace

std::string_view to_string(DecodeStatus status) {
  switch (status) {
    case DecodeStatus::ok:
      return "ok";
    case DecodeStatus::not_ip:
      return "not_ip";
    case DecodeStatus::truncated:
      return "truncated";
    case DecodeStatus::malformed:
      return "malformed";
    case DecodeStatus::unsupported_link:
      return "unsupported_link";
  }
  return "unknown";
}

DecodeStatus decode_packet(LinkType link, std::span<const std::byte> frame, Timestamp time,
                           DecodedPacket& out) {
  out = DecodedPacket{};
  out.time = time;
  Bytes l3;
  if (auto status = network_layer(link, frame, l3); status != DecodeStatus::ok) return status;
  IpLayer ip;
  if (auto status = decode_ip(l3, false, ip); status != DecodeStatus::ok) return status;
  out.source = ip.source;
  out.destination = ip.destination;
  out.ip_protocol = ip.protocol;
  out.later_fragment = ip.later_fragment;
  if (ip.later_fragment) return DecodeStatus::ok;
  return decode_transport(ip, out);
}

}  // namespace cw::detect
