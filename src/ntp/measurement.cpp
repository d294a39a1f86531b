// ntp/measurement.cpp — the RFC 5905 §8 arithmetic of ntp/measurement.h, in integer nanoseconds.
#include "ntp/measurement.h"

#include <algorithm>
#include <cmath>

namespace cw::ntp {

Duration dispersion_growth(Duration elapsed) {
  if (elapsed <= Duration::zero()) return Duration::zero();
  return Duration{
      static_cast<std::int64_t>(std::llround(static_cast<double>(elapsed.count()) * kPhi))};
}

Duration precision_duration(int log2_seconds) {
  const int clamped = std::clamp(log2_seconds, -32, 16);
  return Duration{static_cast<std::int64_t>(std::llround(std::ldexp(1e9, clamped)))};
}

Measurement measure(Timestamp t1, NtpTimestamp t2, NtpTimestamp t3, Timestamp t4,
                    Duration server_precision, Duration local_precision) {
  // T1 and T4 become NTP timestamps so that every difference is a 64-bit modular subtraction
  // of 32.32 values (RFC 5905 §6), right across era boundaries.
  const NtpTimestamp n1 = NtpTimestamp::from(t1);
  const NtpTimestamp n4 = NtpTimestamp::from(t4);
  const Duration forward = t2 - n1;   // T2 − T1
  const Duration backward = t3 - n4;  // T3 − T4
  Measurement m;
  m.offset = (forward + backward) / 2;
  m.delay = std::max((n4 - n1) - (t3 - t2), local_precision);
  // A precision field of +127 reads as centuries: no term counts for more than MAXDISP.
  m.dispersion = std::min(server_precision, kMaxDispersion) +
                 std::min(local_precision, kMaxDispersion) + dispersion_growth(t4 - t1);
  m.time = t4;
  return m;
}

Duration root_distance(const Measurement& m, const RootInfo& root, Duration jitter, Timestamp now) {
  return std::max(kMinDispersion, root.root_delay + m.delay) / 2 + root.root_dispersion +
         m.dispersion + dispersion_growth(now - m.time) + jitter;
}

Duration error_bound(const Measurement& m) { return m.delay / 2 + m.dispersion; }

}  // namespace cw::ntp
