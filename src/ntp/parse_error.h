// ntp/parse_error.h — why a datagram is not an NTP packet we can read (RFC 5905 §7.3, RFC 7822):
// one typed reason per rejection, for counting and logging by the caller.
#pragma once

#include <cstdint>
#include <string_view>

namespace cw::ntp {

// Why a datagram is not an NTP packet we can read. Every rejection has its own reason.
enum class ParseError : std::uint8_t {
  too_short,                  // fewer than 48 bytes
  bad_version,                // version 0 or 5–7 (we read versions 1–4)
  bad_length,                 // total length not a multiple of 4 (RFC 7822 §3)
  too_long,                   // more than kMaxPacketSize bytes
  bad_extension_length,       // extension field length < 16 or not a multiple of 4 (RFC 7822 §3)
  truncated_extension_field,  // extension field claims more bytes than the datagram holds
  bad_mac_length,             // trailer length fits neither a MAC nor an extension field
  bad_crypto_nak,             // a 4-byte trailer whose key id is not 0
};
std::string_view to_string(ParseError error);

}  // namespace cw::ntp
