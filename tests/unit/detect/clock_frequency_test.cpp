// tests/unit/detect/clock_frequency_test.cpp — frequency error by regression over scripted
// offsets, the predicted time to the threshold, and the frequency_drift event.
#include "detect/clock/clock_frequency.h"

#include <gtest/gtest.h>

#include "detect/clock/clock_monitor.h"
#include "support/fake_clock.h"

namespace cw::detect {
namespace {

using namespace std::chrono_literals;

MonotonicTime at(Duration d) { return MonotonicTime{d}; }

TEST(FrequencyEstimator, NeedsEnoughSamplesOverEnoughTime) {
  FrequencyEstimator estimator(8, 4, 3min);
  for (int i = 0; i < 3; ++i) estimator.add(at(i * 64s), Duration{0});
  EXPECT_FALSE(estimator.estimate(300s));
  estimator.add(at(192s), Duration{0});
  ASSERT_TRUE(estimator.estimate(300s));
  EXPECT_DOUBLE_EQ(estimator.estimate(300s)->ppm, 0);
  EXPECT_FALSE(estimator.estimate(300s)->time_to_threshold);
}

TEST(FrequencyEstimator, FastClockGivesPositivePpmAndPredictsTheCrossing) {
  FrequencyEstimator estimator(8, 4, 3min);
  // local clock gains 200 µs per second (200 ppm fast): θ = server − local falls by 200 µs/s
  for (int i = 0; i <= 8; ++i) estimator.add(at(i * 100s), -Duration{i * 20'000'000});
  const auto estimate = estimator.estimate(300s);
  ASSERT_TRUE(estimate);
  EXPECT_NEAR(estimate->ppm, 200.0, 1e-6);
  EXPECT_EQ(estimate->samples, 8u);  // the window keeps the latest 8
  EXPECT_NEAR(to_seconds(estimate->offset_now), -0.160, 1e-9);
  ASSERT_TRUE(estimate->time_to_threshold);
  EXPECT_NEAR(to_seconds(*estimate->time_to_threshold), (300 - 0.160) / 200e-6, 1e-3);
}

TEST(FrequencyEstimator, ResetForgetsHistory) {
  FrequencyEstimator estimator(8, 2, 1s);
  estimator.add(at(0s), 0s);
  estimator.add(at(10s), 1s);
  ASSERT_TRUE(estimator.estimate(300s));
  estimator.reset();
  EXPECT_FALSE(estimator.estimate(300s));
}

TEST(FrequencyDrift, RaisedOnceAboveTheLimitWithThePrediction) {
  testing::FakeClock clock;
  ClockMonitor monitor(ClockMonitorConfig{}, {"s:123"}, clock.monotonic_now());
  int raised = 0;
  for (int i = 0; i < 10; ++i) {  // 500 ppm slow: θ grows 32 ms per 64 s poll
    clock.advance(64s);
    PollRound round;
    round.combined = ClockSample{"s:123", Duration{i * 32'000'000}, 1ms, 1ms, 2};
    for (const auto& e : monitor.on_poll(round, clock.now(), clock.monotonic_now())) {
      ASSERT_EQ(e.type, events::EventType::frequency_drift);
      EXPECT_NEAR(std::get<events::ClockData>(e.data).frequency_ppm, -500, 1e-6);
      ASSERT_EQ(e.attributes.size(), 2u);
      EXPECT_EQ(e.attributes[1].key, "seconds_to_threshold");
      ++raised;
    }
  }
  EXPECT_EQ(raised, 1);
}

}  // namespace
}  // namespace cw::detect
