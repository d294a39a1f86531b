// core/ntp_time.cpp — conversions for core/ntp_time.h, all in integer arithmetic.
#include "core/ntp_time.h"

#include <algorithm>

namespace cw {
namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
__extension__ using Int128 = __int128;

// 32.32 fixed-point seconds since the NTP prime epoch, not wrapped to an era (fraction floored).
Int128 unbounded_fixed(Timestamp t) {
  const std::int64_t ns = unix_ns(t);
  std::int64_t seconds = ns / kNanosPerSecond;
  std::int64_t nanos = ns % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    seconds -= 1;
  }
  const auto fraction = (static_cast<std::uint64_t>(nanos) << 32) / kNanosPerSecond;
  return (static_cast<Int128>(seconds + kNtpToUnixSeconds) << 32) + fraction;
}

Timestamp from_unbounded_fixed(Int128 fixed) {
  const auto seconds = static_cast<std::int64_t>(fixed >> 32) - kNtpToUnixSeconds;
  const auto fraction = static_cast<std::uint64_t>(fixed) & 0xffff'ffffu;
  const auto nanos = static_cast<std::int64_t>(
      (fraction * static_cast<std::uint64_t>(kNanosPerSecond) + (1ull << 31)) >> 32);
  return from_unix_ns(seconds * kNanosPerSecond + nanos);
}

}  // namespace

NtpTimestamp NtpTimestamp::from(Timestamp t) {
  return NtpTimestamp{static_cast<std::uint64_t>(unbounded_fixed(t))};
}

Timestamp NtpTimestamp::to_timestamp(Timestamp pivot) const {
  const Int128 pivot_fixed = unbounded_fixed(pivot);
  const auto delta = static_cast<std::int64_t>(raw_ - static_cast<std::uint64_t>(pivot_fixed));
  return from_unbounded_fixed(pivot_fixed + delta);
}

Duration operator-(NtpTimestamp a, NtpTimestamp b) {
  return fixed32_32_to_duration(static_cast<std::int64_t>(a.raw() - b.raw()));
}

NtpTimestamp operator+(NtpTimestamp t, Duration d) {
  return NtpTimestamp{t.raw() + static_cast<std::uint64_t>(duration_to_fixed32_32(d))};
}

Duration fixed32_32_to_duration(std::int64_t fixed) {
  const std::int64_t seconds = fixed >> 32;  // arithmetic shift: floor
  const auto fraction = static_cast<std::uint64_t>(fixed) & 0xffff'ffffu;
  const auto nanos = static_cast<std::int64_t>(
      (fraction * static_cast<std::uint64_t>(kNanosPerSecond) + (1ull << 31)) >> 32);
  return Duration{seconds * kNanosPerSecond + nanos};
}

std::int64_t duration_to_fixed32_32(Duration d) {
  std::int64_t seconds = d.count() / kNanosPerSecond;
  std::int64_t nanos = d.count() % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    seconds -= 1;
  }
  const auto fraction = ((static_cast<std::uint64_t>(nanos) << 32) + kNanosPerSecond / 2) /
                        static_cast<std::uint64_t>(kNanosPerSecond);
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(seconds) << 32) +
         static_cast<std::int64_t>(fraction);
}

NtpShort NtpShort::from(Duration d) {
  const auto fixed = duration_to_fixed32_32(std::max(d, Duration::zero())) >> 16;
  return NtpShort{static_cast<std::uint32_t>(std::min<std::int64_t>(fixed, 0xffff'ffff))};
}

Duration NtpShort::to_duration() const {
  return fixed32_32_to_duration(static_cast<std::int64_t>(raw_) << 16);
}

}  // namespace cw
