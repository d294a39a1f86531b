// tests/unit/ntp/measurement_test.cpp — RFC 5905 §8 offset/delay/dispersion with literal
// timestamps, including both sides of the 2036 era rollover.
#include "ntp/measurement.h"

#include <gtest/gtest.h>

namespace cw::ntp {
namespace {

using namespace std::chrono_literals;

constexpr Timestamp at(std::int64_t ns) { return from_unix_ns(1'700'000'000'000'000'000 + ns); }
NtpTimestamp ntp_at(std::int64_t ns) { return NtpTimestamp::from(at(ns)); }

TEST(Measurement, OffsetAndDelayFollowRfc5905) {
  // t1 = 10.000000, t2 = 10.000100, t3 = 10.000200, t4 = 10.000400 (relative seconds)
  const auto m = measure(at(0), ntp_at(100'000), ntp_at(200'000), at(400'000), 0ns, 0ns);
  EXPECT_EQ(m.offset, -50us);  // ((t2-t1)+(t3-t4))/2 = (100 - 200)/2 µs
  EXPECT_EQ(m.delay, 300us);   // (t4-t1)-(t3-t2) = 400 - 100 µs
  EXPECT_EQ(m.time, at(400'000));
}

TEST(Measurement, ServerAheadByTwoAndAHalfSeconds) {
  const auto m = measure(at(0), ntp_at(2'500'001'000), ntp_at(2'500'002'000), at(3'000), 0ns, 0ns);
  EXPECT_EQ(m.offset, 2'500'000'000ns);
  EXPECT_EQ(m.delay, 2us);
}

TEST(Measurement, DispersionIsPrecisionsPlusPhiTimesRoundTrip) {
  const auto m = measure(at(0), ntp_at(0), ntp_at(0), at(1'000'000'000), 1us, 2us);
  EXPECT_EQ(m.dispersion, 1us + 2us + 15us);  // PHI = 15 ppm over 1 s
}

TEST(Measurement, NegativeDelayIsFlooredAtLocalPrecision) {
  // The server claims to have held the packet longer than our round trip: δ < 0.
  const auto m = measure(at(0), ntp_at(0), ntp_at(10'000), at(5'000), 0ns, 1us);
  EXPECT_EQ(m.delay, 1us);
}

TEST(Measurement, AcrossTheEraRollover) {
  // 2036-02-07T06:28:16Z is NTP era 1 second 0; the server's timestamps wrap, ours do not.
  const auto rollover =
      from_unix_ns((std::int64_t{1} << 32) * 1'000'000'000 - 2'208'988'800'000'000'000);
  const auto t1 = rollover - 100us;
  const auto t2 = NtpTimestamp::from(rollover + 1s);  // era 1: small raw value
  const auto t3 = NtpTimestamp::from(rollover + 1s + 100us);
  const auto t4 = rollover + 300us;
  EXPECT_LT(t2.seconds(), 10u);
  const auto m = measure(t1, t2, t3, t4, 0ns, 0ns);
  EXPECT_EQ(m.offset, 1s - 50us);  // ((1s + 100µs) + (1s + 100µs − 300µs)) / 2
  EXPECT_EQ(m.delay, 300us);
}

TEST(Measurement, PrecisionDurationIsPowerOfTwoSeconds) {
  EXPECT_EQ(precision_duration(0), 1s);
  EXPECT_EQ(precision_duration(-10), 976'563ns);
  EXPECT_EQ(precision_duration(-20), 954ns);
}

TEST(Measurement, RootDistanceFollowsA552) {
  Measurement m{.offset = 0ns, .delay = 2ms, .dispersion = 1ms, .time = at(0)};
  const RootInfo root{.root_delay = 20ms, .root_dispersion = 3ms};
  // (20 + 2)/2 + 3 + 1 + PHI*(1 s) + jitter 500 µs
  EXPECT_EQ(root_distance(m, root, 500us, at(1'000'000'000)), 11ms + 3ms + 1ms + 15us + 500us);
  // The delay term never goes below MINDISP / 2.
  EXPECT_EQ(root_distance(m, RootInfo{}, 0ns, at(0)), 5ms + 1ms);
}

TEST(Measurement, ErrorBoundIsHalfDelayPlusDispersion) {
  Measurement m{.offset = 7ms, .delay = 4ms, .dispersion = 1ms, .time = at(0)};
  EXPECT_EQ(error_bound(m), 3ms);
}

TEST(Measurement, AnAbsurdPrecisionCountsForNoMoreThanMaxDispersion) {
  // Found by fuzz_ntp_exchange: a precision field of +127 saturates to Duration::max().
  const auto m =
      measure(at(0), ntp_at(100'000), ntp_at(200'000), at(400'000), Duration::max(), 0ns);
  EXPECT_GE(m.dispersion, kMaxDispersion);
  EXPECT_LT(m.dispersion, 2 * kMaxDispersion);
}

}  // namespace
}  // namespace cw::ntp
