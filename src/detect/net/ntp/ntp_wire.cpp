// detect/net/ntp/ntp_wire.cpp — the on-the-wire NTP decoder of detect/net/ntp/ntp_wire.h.
#include "detect/net/ntp/ntp_wire.h"

namespace cw::detect {
namespace {

std::uint8_t u8(std::span<const std::byte> b, std::size_t at) {
  return std::to_integer<std::uint8_t>(b[at]);
}
std::uint16_t be16(std::span<const std::byte> b, std::size_t at) {
  return static_cast<std::uint16_t>(u8(b, at) << 8 | u8(b, at + 1));
}
std::uint32_t be32(std::span<const std::byte> b, std::size_t at) {
  return std::uint32_t{be16(b, at)} << 16 | be16(b, at + 2);
}
std::uint64_t be64(std::span<const std::byte> b, std::size_t at) {
  return std::uint64_t{be32(b, at)} << 32 | be32(b, at + 4);
}

// A MAC trailer: a 4-byte key id and a 16-byte (MD5, AES-CMAC) or 20-byte (SHA-1) digest, or a
// bare key id (crypto-NAK, RFC 5905 §7.4).
bool is_mac_size(std::size_t n) { return n == 4 || n == 20 || n == 24; }

// RFC 7822 §7.5: extension fields of at least 16 bytes, multiples of 4, then an optional MAC.
// NTS (RFC 8915 §5.7) uses the same fields; its last one (authenticator) may be of any length ≥ 16.
NtpLayout header_trailer(std::span<const std::byte> b, NtpWire& w) {
  std::size_t at = 48;
  while (at < b.size()) {
    const auto rest = b.size() - at;
    if (is_mac_size(rest)) {
      w.has_mac = true;
      return NtpLayout::standard;
    }
    if (rest < 16) return NtpLayout::bad_extension;
    const std::size_t length = be16(b, at + 2);
    if (length < 16 || length % 4 != 0 || length > rest) return NtpLayout::bad_extension;
    ++w.extension_fields;
    at += length;
  }
  return NtpLayout::standard;
}

NtpLayout decode_header(std::span<const std::byte> b, NtpWire& w) {
  if (b.size() < 48) return NtpLayout::too_short;
  w.stratum = u8(b, 1);
  w.poll = static_cast<std::int8_t>(u8(b, 2));
  w.precision = static_cast<std::int8_t>(u8(b, 3));
  w.root_delay = be32(b, 4);
  w.root_dispersion = be32(b, 8);
  w.reference_id = be32(b, 12);
  w.reference = be64(b, 16);
  w.origin = be64(b, 24);
  w.receive = be64(b, 32);
  w.transmit = be64(b, 40);
  return header_trailer(b, w);
}

// RFC 9327 §2: 12-byte header, `count` data bytes padded to 4, then an optional MAC.
NtpLayout decode_control(std::span<const std::byte> b, NtpWire& w) {
  if (b.size() < 12) return NtpLayout::too_short;
  const auto flags = u8(b, 1);
  w.response = (flags & 0x80) != 0;
  w.error = (flags & 0x40) != 0;
  w.more = (flags & 0x20) != 0;
  w.opcode = flags & 0x1f;
  w.sequence = be16(b, 2);
  w.count = be16(b, 10);
  const std::size_t data = 12 + std::size_t{w.count};
  if (data > b.size()) return NtpLayout::bad_control_len;
  const auto rest = b.size() - data;  // padding to 4 (or 8), then an optional MAC
  if (rest > 8 + 24) return NtpLayout::bad_control_len;
  w.has_mac = rest >= 20;
  return NtpLayout::standard;
}

// ntpd's ntp_request.h: byte 0 R M VN(3) mode(3); byte 1 A + sequence; implementation; request
// code; err(4) + nitems(12); mbz(4) + itemsize(12); items.
NtpLayout decode_private(std::span<const std::byte> b, NtpWire& w) {
  if (b.size() < 8) return NtpLayout::too_short;
  const auto first = u8(b, 0);
  w.response = (first & 0x80) != 0;
  w.more = (first & 0x40) != 0;
  w.sequence = u8(b, 1) & 0x7f;
  w.implementation = u8(b, 2);
  w.request_code = u8(b, 3);
  w.items = be16(b, 4) & 0x0fff;
  w.item_size = be16(b, 6) & 0x0fff;
  if (8 + std::size_t{w.items} * w.item_size > b.size()) return NtpLayout::bad_private_len;
  return NtpLayout::standard;
}

}  // namespace

std::string_view to_string(NtpLayout layout) {
  switch (layout) {
    case NtpLayout::standard:
      return "standard";
    case NtpLayout::too_short:
      return "too_short";
    case NtpLayout::bad_version:
      return "bad_version";
    case NtpLayout::reserved_mode:
      return "reserved_mode";
    case NtpLayout::bad_extension:
      return "bad_extension";
    case NtpLayout::bad_control_len:
      return "bad_control_length";
    case NtpLayout::bad_private_len:
      return "bad_private_length";
  }
  return "unknown";
}

bool decode_ntp_wire(std::span<const std::byte> b, NtpWire& w) {
  w = NtpWire{};
  if (b.empty()) return false;
  w.size = b.size();
  const auto first = u8(b, 0);
  w.leap = first >> 6;
  w.version = (first >> 3) & 7;
  w.mode = first & 7;
  if (w.version == 0 || w.version > 4) {
    w.layout = NtpLayout::bad_version;
    return true;
  }
  switch (w.mode) {
    case 0:
      w.layout = NtpLayout::reserved_mode;
      break;
    case 6:
      w.layout = decode_control(b, w);
      break;
    case 7:
      w.layout = decode_private(b, w);
      break;
    default:
      w.layout = decode_header(b, w);
      break;
  }
  return true;
}

bool is_scanner_probe(const NtpWire& w) {
  if (w.mode != 3 || w.size != 48) return false;
  return w.transmit == 0xc54f234b71b152f3ull ||
         (w.version == 2 && w.transmit == 0xffffffffffffff00ull);
}

}  // namespace cw::detect
