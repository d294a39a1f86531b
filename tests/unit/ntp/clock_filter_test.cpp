// tests/unit/ntp/clock_filter_test.cpp — RFC 5905 §10 clock filter with literal measurements.
#include "ntp/clock_filter.h"

#include <gtest/gtest.h>

namespace cw::ntp {
namespace {

using namespace std::chrono_literals;

constexpr Timestamp at_s(std::int64_t s) {
  return from_unix_ns((1'700'000'000 + s) * 1'000'000'000);
}

Measurement sample(Duration offset, Duration delay, std::int64_t second,
                   Duration dispersion = 0ns) {
  return Measurement{
      .offset = offset, .delay = delay, .dispersion = dispersion, .time = at_s(second)};
}

TEST(ClockFilter, EmptyFilterHasNoOutput) {
  ClockFilter filter;
  EXPECT_FALSE(filter.output(at_s(0)).has_value());
}

TEST(ClockFilter, PicksTheMinimumDelaySample) {
  ClockFilter filter(1us);
  filter.add(sample(5ms, 40ms, 0));
  filter.add(sample(1ms, 10ms, 16));  // least delay: the best estimate
  const auto out = filter.add(sample(9ms, 80ms, 32));
  EXPECT_EQ(out.best.offset, 1ms);
  EXPECT_EQ(out.best.delay, 10ms);
  EXPECT_EQ(out.samples, 3u);
  EXPECT_FALSE(out.fresh);  // the best is the stage already reported at second 16
}

TEST(ClockFilter, JitterIsRmsOfOffsetDifferencesFromBest) {
  ClockFilter filter(1ns);
  filter.add(sample(0ms, 10ms, 0));
  filter.add(sample(3ms, 20ms, 1));
  const auto out = filter.add(sample(4ms, 30ms, 2));
  // sqrt((0² + 3² + 4²) / (3 − 1)) ms = sqrt(12.5) ms
  EXPECT_NEAR(to_seconds(out.jitter), 0.0035355339, 1e-9);
}

TEST(ClockFilter, JitterIsFlooredAtLocalPrecision) {
  ClockFilter filter(2us);
  const auto out = filter.add(sample(1ms, 10ms, 0));
  EXPECT_EQ(out.jitter, 2us);
  EXPECT_TRUE(out.fresh);
}

TEST(ClockFilter, DispersionWeightsStagesByHalves) {
  ClockFilter filter(1ns);
  const auto out = filter.add(sample(0ms, 10ms, 0, 1ms));
  // ε = 1ms/2 + 7 empty stages × MAXDISP / 2^(i+1) = 0.5 ms + 16 s × (1/4 + ... + 1/256)
  const double expected = 0.0005 + 16.0 * (0.5 - 1.0 / 256);
  EXPECT_NEAR(to_seconds(out.dispersion), expected, 1e-9);
}

TEST(ClockFilter, OldStagesAgeAndNewerSamplesAreFresh) {
  ClockFilter filter(1ns);
  EXPECT_TRUE(filter.add(sample(1ms, 10ms, 0)).fresh);
  const auto out = filter.add(sample(2ms, 5ms, 64));
  EXPECT_TRUE(out.fresh);
  EXPECT_EQ(out.best.offset, 2ms);
  const auto later = filter.output(at_s(1064)).value();
  EXPECT_EQ(later.best.offset, 2ms);  // aging adds dispersion, it does not change the choice
  EXPECT_GT(later.dispersion, out.dispersion);
}

TEST(ClockFilter, EightStagesShiftOutTheOldest) {
  ClockFilter filter(1ns);
  filter.add(sample(7ms, 1ms, 0));  // the best delay, but it will be shifted out
  for (int i = 1; i <= 8; ++i) filter.add(sample(0ms, 50ms, i));
  EXPECT_EQ(filter.output(at_s(9))->best.offset, 0ms);
  EXPECT_EQ(filter.output(at_s(9))->samples, 8u);
}

TEST(ClockFilter, ResetForgetsEverything) {
  ClockFilter filter;
  filter.add(sample(1ms, 10ms, 0));
  filter.reset();
  EXPECT_FALSE(filter.output(at_s(1)).has_value());
  EXPECT_TRUE(filter.add(sample(1ms, 10ms, 0)).fresh);
}

TEST(ClockFilter, MeasurementTooDispersedIsNotUsed) {
  ClockFilter filter;
  const auto out = filter.add(sample(1ms, 10ms, 0, 20s));
  EXPECT_EQ(out.samples, 0u);
  EXPECT_FALSE(out.fresh);
  EXPECT_FALSE(filter.output(at_s(0)).has_value());
}

}  // namespace
}  // namespace cw::ntp
