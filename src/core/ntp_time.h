// core/ntp_time.h — NTP's fixed-point time formats (RFC 5905 §6): the 64-bit timestamp (32.32
// seconds since 1900 within an era of 2^32 s) and the 32-bit short format (16.16 seconds), with
// exact conversions to integer nanoseconds that stay right across the 2036 era rollover.
#pragma once

#include <compare>
#include <cstdint>

#include "core/time.h"

namespace cw {

// Seconds from the NTP prime epoch (1900-01-01) to the Unix epoch (1970-01-01).
inline constexpr std::int64_t kNtpToUnixSeconds = 2'208'988'800;

class NtpTimestamp {
 public:
  constexpr NtpTimestamp() = default;
  constexpr explicit NtpTimestamp(std::uint64_t raw) : raw_(raw) {}
  constexpr NtpTimestamp(std::uint32_t seconds, std::uint32_t fraction)
      : raw_(std::uint64_t{seconds} << 32 | fraction) {}

  // The timestamp of t in t's own era (the era number itself is not carried on the wire).
  static NtpTimestamp from(Timestamp t);
  // The instant this timestamp names in the era that puts it closest to `pivot` (within ±68
  // years), per RFC 5905 §6: a receiver resolves the era from a time it trusts roughly.
  Timestamp to_timestamp(Timestamp pivot) const;

  constexpr std::uint64_t raw() const { return raw_; }
  constexpr std::uint32_t seconds() const { return static_cast<std::uint32_t>(raw_ >> 32); }
  constexpr std::uint32_t fraction() const { return static_cast<std::uint32_t>(raw_); }
  constexpr bool is_zero() const { return raw_ == 0; }

  constexpr auto operator<=>(const NtpTimestamp&) const = default;

 private:
  std::uint64_t raw_ = 0;
};

// a − b as a signed duration, by 64-bit modular subtraction: right whenever the two are within
// 68 years of each other, including across an era boundary (RFC 5905 §6).
Duration operator-(NtpTimestamp a, NtpTimestamp b);
// The timestamp `d` after `t` (modulo the era).
NtpTimestamp operator+(NtpTimestamp t, Duration d);

// Signed 32.32 fixed-point seconds ↔ nanoseconds (rounded to nearest).
Duration fixed32_32_to_duration(std::int64_t fixed);
std::int64_t duration_to_fixed32_32(Duration d);

// RFC 5905's short format: unsigned 16.16 seconds, used for root delay and root dispersion.
class NtpShort {
 public:
  constexpr NtpShort() = default;
  constexpr explicit NtpShort(std::uint32_t raw) : raw_(raw) {}
  // Saturates at the format's range [0, 65536 s).
  static NtpShort from(Duration d);
  Duration to_duration() const;
  constexpr std::uint32_t raw() const { return raw_; }
  constexpr auto operator<=>(const NtpShort&) const = default;

 private:
  std::uint32_t raw_ = 0;
};

}  // namespace cw
