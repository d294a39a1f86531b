// ntp/packet.h — the NTP packet as a value (RFC 5905 §7.3) and its wire codec: the 48-byte header
// with strong types for every field, then the extension fields (RFC 7822) and the MAC trailer
// (key id + digest) or crypto-NAK that may follow it. Pure: bytes in, values out.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/ntp_time.h"
#include "core/result.h"
#include "core/time.h"
#include "ntp/extension_field.h"
#include "ntp/parse_error.h"

namespace cw::ntp {

inline constexpr std::size_t kHeaderSize = 48;
inline constexpr std::uint8_t kVersion = 4;

// RFC 5905 §7.3 "LI": warning of an impending leap second; 3 = clock unsynchronized.
enum class LeapIndicator : std::uint8_t {
  no_warning = 0,
  insert_second = 1,   // last minute of the day has 61 seconds
  delete_second = 2,   // last minute of the day has 59 seconds
  unsynchronized = 3,  // alarm condition: clock not synchronized
};

// RFC 5905 §7.3 "Mode" (figure 10).
enum class Mode : std::uint8_t {
  reserved = 0,
  symmetric_active = 1,
  symmetric_passive = 2,
  client = 3,
  server = 4,
  broadcast = 5,
  control = 6,  // NTP control message (RFC 1305 appendix B)
  private_use = 7,
};

// RFC 5905 §7.3 "Stratum": 0 = unspecified or invalid (in a reply: a Kiss-o'-Death, §7.4),
// 1 = primary server, 2–15 = secondary, 16 = unsynchronized, 17–255 reserved.
struct Stratum {
  std::uint8_t value = 0;
  constexpr bool is_kiss_of_death() const { return value == 0; }
  constexpr bool is_unsynchronized() const { return value >= 16; }
  constexpr auto operator<=>(const Stratum&) const = default;
};

// RFC 5905 §7.3 "Poll": the maximum interval between successive messages, log2 seconds.
struct PollInterval {
  std::int8_t log2_seconds = 0;
  Duration duration() const;  // 2^log2_seconds s (saturating for absurd values)
  constexpr auto operator<=>(const PollInterval&) const = default;
};

// RFC 5905 §7.3 "Precision": the precision of the system clock, log2 seconds (e.g. −20 ≈ 1 µs).
struct Precision {
  std::int8_t log2_seconds = 0;
  Duration duration() const;
  constexpr auto operator<=>(const Precision&) const = default;
};

// RFC 5905 §7.3 / RFC 8573: the 32-bit key identifier at the start of a MAC trailer.
struct KeyId {
  std::uint32_t value = 0;
  constexpr auto operator<=>(const KeyId&) const = default;
};

// RFC 5905 §7.3 "Reference ID": four bytes — an ASCII source name at stratum 1, a Kiss-o'-Death
// code ("RATE", "DENY", "RSTR", ...) at stratum 0, an IPv4 address (or the first four bytes of the
// MD5 of an IPv6 address) at stratum 2 and above.
class RefId {
 public:
  constexpr RefId() = default;
  constexpr explicit RefId(std::array<std::byte, 4> bytes) : bytes_(bytes) {}
  static constexpr RefId from_u32(std::uint32_t v) {
    return RefId{{std::byte(v >> 24), std::byte(v >> 16), std::byte(v >> 8), std::byte(v)}};
  }
  // Up to four ASCII characters, NUL-padded ("RATE", "GPS", "LOCL").
  static constexpr RefId from_ascii(std::string_view code) {
    std::array<std::byte, 4> bytes{};
    for (std::size_t i = 0; i < code.size() && i < 4; ++i) bytes[i] = std::byte(code[i]);
    return RefId{bytes};
  }

  constexpr const std::array<std::byte, 4>& bytes() const { return bytes_; }
  constexpr std::uint32_t u32() const {
    return std::uint32_t(bytes_[0]) << 24 | std::uint32_t(bytes_[1]) << 16 |
           std::uint32_t(bytes_[2]) << 8 | std::uint32_t(bytes_[3]);
  }
  // The bytes up to the first NUL if all of them are printable ASCII, else nullopt (KoD codes
  // and stratum-1 source names are ASCII; IPv4 refids usually are not).
  std::optional<std::string> ascii() const;
  // "RATE", "GPS", or dotted quad "127.0.0.1" when not printable ASCII: for display.
  std::string to_string() const;

  constexpr auto operator<=>(const RefId&) const = default;

 private:
  std::array<std::byte, 4> bytes_{};
};

// The 48-byte header of RFC 5905 §7.3 (figure 8), every bit of it.
struct Packet {
  LeapIndicator leap = LeapIndicator::no_warning;
  std::uint8_t version = kVersion;  // 3 bits on the wire
  Mode mode = Mode::client;
  Stratum stratum{};
  PollInterval poll{};
  Precision precision{};
  NtpShort root_delay{};
  NtpShort root_dispersion{};
  RefId reference_id{};
  NtpTimestamp reference_time{};
  NtpTimestamp origin_time{};
  NtpTimestamp receive_time{};
  NtpTimestamp transmit_time{};

  bool operator==(const Packet&) const = default;
};

// RFC 5905 §7.3 / RFC 8573: a key identifier followed by a digest over everything before it; or,
// with key id 0 and no digest, the crypto-NAK (§7.4: "authentication failed").
struct MacTrailer {
  KeyId key_id{};
  std::span<const std::byte> digest;  // 16 or 20 bytes in NTPv4 (RFC 7822 §7.5), up to 64 in v3
  bool is_crypto_nak() const { return key_id.value == 0 && digest.empty(); }
};

// A received datagram split into its parts. The spans point into the caller's buffer and are only
// valid while it lives.
struct ParsedPacket {
  Packet header;
  ExtensionFields extensions;                // RFC 7822, NTPv4 only; empty when there are none
  std::optional<MacTrailer> mac;             // MAC or crypto-NAK, when present
  std::span<const std::byte> authenticated;  // header + extension fields: what the MAC covers
};

// The largest datagram we read: header + 1024 bytes of extension fields + a 68-byte MAC (chrony's
// NTP_MAX_EXTENSIONS_LENGTH and NTP_MAX_MAC_LENGTH).
inline constexpr std::size_t kMaxPacketSize = kHeaderSize + 1024 + 68;

// Splits a datagram into header, extension fields and MAC trailer, the way chronyd does
// (RFC 7822 §7.5): in NTPv4, a remainder of 20–24 bytes is a MAC, exactly 4 zero bytes right after
// the header a crypto-NAK, anything else extension fields; a longer MAC (up to 68 bytes, NTPv3
// style) is accepted right after the header when the bytes are not a valid extension field
// sequence. In NTPv1–3 everything after the header is the MAC. Never reads past `datagram`.
Result<ParsedPacket, ParseError> parse(std::span<const std::byte> datagram);

// Only the 48-byte header (nothing is checked beyond the length and version).
Result<Packet, ParseError> parse_header(std::span<const std::byte> datagram);

// Writes the 48-byte header into `out`; returns the bytes written (48), or 0 if `out` is shorter.
std::size_t serialize(const Packet& packet, std::span<std::byte> out);
std::array<std::byte, kHeaderSize> serialize(const Packet& packet);

}  // namespace cw::ntp
