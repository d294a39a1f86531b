// ntp/packet.cpp — the NTP header codec (RFC 5905 §7.3) and the split of what follows the header
// into extension fields and a MAC trailer (RFC 7822 §7.5, as chronyd's NAU_ParsePacket does it).
#include "ntp/packet.h"

#include <cstdio>

#include "core/bytes.h"

namespace cw::ntp {
namespace {

// RFC 5905 §7.3 / chrony ntp.h: a MAC is a 4-byte key id and a 16- to 64-byte digest; in NTPv4 a
// MAC longer than 24 bytes would be ambiguous with extension fields (RFC 7822 §7.5).
constexpr std::size_t kMinMacSize = 4 + 16;
constexpr std::size_t kMaxV4MacSize = 4 + 20;
constexpr std::size_t kMaxMacSize = 4 + 64;
constexpr std::size_t kCryptoNakSize = 4;

Duration power_of_two_seconds(std::int8_t log2) {
  if (log2 >= 33) return Duration::max();  // beyond any sane poll; avoid overflow
  if (log2 >= 0) return std::chrono::seconds{std::int64_t{1} << log2};
  if (log2 <= -31) return Duration::zero();  // below a nanosecond
  return Duration{std::int64_t{1'000'000'000} >> -log2};
}

Packet read_header(ByteReader& reader) {
  Packet p;
  const auto lvm = *reader.u8();
  p.leap = static_cast<LeapIndicator>(lvm >> 6);
  p.version = static_cast<std::uint8_t>((lvm >> 3) & 0x7);
  p.mode = static_cast<Mode>(lvm & 0x7);
  p.stratum = Stratum{*reader.u8()};
  p.poll = PollInterval{static_cast<std::int8_t>(*reader.u8())};
  p.precision = Precision{static_cast<std::int8_t>(*reader.u8())};
  p.root_delay = NtpShort{*reader.u32()};
  p.root_dispersion = NtpShort{*reader.u32()};
  p.reference_id = RefId::from_u32(*reader.u32());
  p.reference_time = NtpTimestamp{*reader.u64()};
  p.origin_time = NtpTimestamp{*reader.u64()};
  p.receive_time = NtpTimestamp{*reader.u64()};
  p.transmit_time = NtpTimestamp{*reader.u64()};
  return p;
}

MacTrailer read_mac(std::span<const std::byte> trailer) {
  ByteReader reader{trailer};
  const auto key_id = KeyId{*reader.u32()};
  return MacTrailer{key_id, trailer.subspan(4)};
}

// NTPv1–3 have no extension fields: everything after the header is the MAC (or crypto-NAK).
Result<std::optional<MacTrailer>, ParseError> read_legacy_trailer(std::span<const std::byte> rest) {
  if (rest.size() == kCryptoNakSize) {
    auto nak = read_mac(rest);
    if (!nak.is_crypto_nak()) return fail(ParseError::bad_crypto_nak);
    return nak;
  }
  if (rest.size() < kMinMacSize || rest.size() > kMaxMacSize)
    return fail(ParseError::bad_mac_length);
  return read_mac(rest);
}

// Key id + an untruncated SHA256, SHA384 or SHA512 digest: the only MACs longer than 24 bytes that
// our key types produce (chronyd checks the key instead; we cannot without it).
bool is_long_mac_size(std::size_t size) {
  return size == 4 + 32 || size == 4 + 48 || size == 4 + 64;
}

struct V4Layout {
  std::size_t extension_bytes = 0;
  std::size_t extension_count = 0;
};

// Walks extension fields until the rest is empty or has a MAC's length (20–24 bytes).
Result<V4Layout, ParseError> walk_extension_fields(std::span<const std::byte> rest) {
  V4Layout layout;
  while (layout.extension_bytes < rest.size()) {
    const auto remainder = rest.size() - layout.extension_bytes;
    if (remainder >= kMinMacSize && remainder <= kMaxV4MacSize) return layout;
    const auto field = read_extension_field(rest.subspan(layout.extension_bytes));
    if (!field) return fail(field.error());
    layout.extension_bytes += field->wire_size();
    ++layout.extension_count;
  }
  return layout;
}

struct Trailer {
  ExtensionFields extensions;
  std::optional<MacTrailer> mac;
};

Result<Trailer, ParseError> read_v4_trailer(std::span<const std::byte> rest) {
  if (rest.size() == kCryptoNakSize) {  // only directly after the header, as chronyd reads it
    auto nak = read_mac(rest);
    if (!nak.is_crypto_nak()) return fail(ParseError::bad_crypto_nak);
    return Trailer{{}, nak};
  }
  auto layout = walk_extension_fields(rest);
  if (!layout) {
    // chronyd accepts a long (NTPv3-sized) MAC right after the header of an NTPv4 packet for
    // compatibility with older clients; a key id + digest rarely parses as extension fields.
    if (is_long_mac_size(rest.size())) return Trailer{{}, read_mac(rest)};
    return fail(layout.error());
  }
  Trailer trailer{ExtensionFields{rest.first(layout->extension_bytes), layout->extension_count},
                  {}};
  const auto mac_bytes = rest.subspan(layout->extension_bytes);
  if (mac_bytes.empty()) return trailer;
  if (mac_bytes.size() < kMinMacSize) return fail(ParseError::bad_mac_length);
  trailer.mac = read_mac(mac_bytes);
  return trailer;
}

}  // namespace

Duration PollInterval::duration() const { return power_of_two_seconds(log2_seconds); }
Duration Precision::duration() const { return power_of_two_seconds(log2_seconds); }

std::optional<std::string> RefId::ascii() const {
  std::string out;
  for (const auto b : bytes_) {
    const auto c = static_cast<unsigned char>(b);
    if (c == 0) break;
    if (c < 0x20 || c > 0x7e) return std::nullopt;
    out.push_back(static_cast<char>(c));
  }
  return out;
}

std::string RefId::to_string() const {
  if (auto text = ascii(); text && !text->empty()) return *text;
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%u.%u.%u.%u", unsigned(bytes_[0]), unsigned(bytes_[1]),
                unsigned(bytes_[2]), unsigned(bytes_[3]));
  return buffer;
}

std::string_view to_string(ParseError error) {
  switch (error) {
    case ParseError::too_short:
      return "shorter than the 48-byte NTP header";
    case ParseError::bad_version:
      return "unsupported NTP version (not 1-4)";
    case ParseError::bad_length:
      return "length is not a multiple of 4";
    case ParseError::too_long:
      return "longer than any NTP packet we accept";
    case ParseError::bad_extension_length:
      return "extension field length below 16 or not a multiple of 4";
    case ParseError::truncated_extension_field:
      return "extension field runs past the end of the packet";
    case ParseError::bad_mac_length:
      return "trailer has the length of neither a MAC nor an extension field";
    case ParseError::bad_crypto_nak:
      return "4-byte trailer with a non-zero key id";
  }
  return "unknown parse error";
}

Result<Packet, ParseError> parse_header(std::span<const std::byte> datagram) {
  if (datagram.size() < kHeaderSize) return fail(ParseError::too_short);
  ByteReader reader{datagram.first(kHeaderSize)};
  auto packet = read_header(reader);
  if (packet.version < 1 || packet.version > 4) return fail(ParseError::bad_version);
  return packet;
}

Result<ParsedPacket, ParseError> parse(std::span<const std::byte> datagram) {
  auto header = parse_header(datagram);
  if (!header) return fail(header.error());
  if (datagram.size() > kMaxPacketSize) return fail(ParseError::too_long);
  if (datagram.size() % 4 != 0) return fail(ParseError::bad_length);

  ParsedPacket parsed{*header, {}, std::nullopt, datagram.first(kHeaderSize)};
  const auto rest = datagram.subspan(kHeaderSize);
  if (rest.empty()) return parsed;
  if (header->version <= 3) {
    auto mac = read_legacy_trailer(rest);
    if (!mac) return fail(mac.error());
    parsed.mac = *mac;
    return parsed;
  }
  auto trailer = read_v4_trailer(rest);
  if (!trailer) return fail(trailer.error());
  parsed.extensions = trailer->extensions;
  parsed.mac = trailer->mac;
  parsed.authenticated = datagram.first(kHeaderSize + parsed.extensions.bytes().size());
  return parsed;
}

std::size_t serialize(const Packet& p, std::span<std::byte> out) {
  if (out.size() < kHeaderSize) return 0;
  ByteWriter writer{out};
  writer.u8(static_cast<std::uint8_t>((static_cast<unsigned>(p.leap) & 0x3u) << 6 |
                                      (p.version & 0x7u) << 3 |
                                      (static_cast<unsigned>(p.mode) & 0x7u)));
  writer.u8(p.stratum.value);
  writer.u8(static_cast<std::uint8_t>(p.poll.log2_seconds));
  writer.u8(static_cast<std::uint8_t>(p.precision.log2_seconds));
  writer.u32(p.root_delay.raw());
  writer.u32(p.root_dispersion.raw());
  writer.u32(p.reference_id.u32());
  writer.u64(p.reference_time.raw());
  writer.u64(p.origin_time.raw());
  writer.u64(p.receive_time.raw());
  writer.u64(p.transmit_time.raw());
  return writer.size();
}

std::array<std::byte, kHeaderSize> serialize(const Packet& packet) {
  std::array<std::byte, kHeaderSize> out{};
  serialize(packet, out);
  return out;
}

}  // namespace cw::ntp
