// tests/unit/ntp/clock_correction_test.cpp — step above the threshold, slew below, carried out
// through a recording fake adjuster (the real clock is never touched by tests).
#include "ntp/clock_correction.h"

#include <gtest/gtest.h>

#include <vector>

namespace cw::ntp {
namespace {

using namespace std::chrono_literals;

class RecordingAdjuster final : public ClockAdjuster {
 public:
  std::vector<Correction> calls;
  void step(Duration offset) override { calls.push_back({Correction::Kind::step, offset}); }
  void slew(Duration offset) override { calls.push_back({Correction::Kind::slew, offset}); }
};

TEST(ClockCorrection, StepsAboveTheThresholdInEitherDirection) {
  EXPECT_EQ(decide_correction(26s).kind, Correction::Kind::step);
  EXPECT_EQ(decide_correction(-26s).kind, Correction::Kind::step);
}

TEST(ClockCorrection, SlewsAtOrBelowTheThreshold) {
  EXPECT_EQ(decide_correction(25s).kind, Correction::Kind::slew);
  EXPECT_EQ(decide_correction(-2500ms).kind, Correction::Kind::slew);
  EXPECT_EQ(decide_correction(0ns).kind, Correction::Kind::slew);
}

TEST(ClockCorrection, ThresholdIsConfigurable) {
  EXPECT_EQ(decide_correction(2s, 1s).kind, Correction::Kind::step);
  EXPECT_EQ(decide_correction(2s, 3s).kind, Correction::Kind::slew);
}

TEST(ClockCorrection, AppliesThroughTheInjectedAdjuster) {
  RecordingAdjuster adjuster;
  apply(decide_correction(30s), adjuster);
  apply(decide_correction(-3ms), adjuster);
  ASSERT_EQ(adjuster.calls.size(), 2u);
  EXPECT_EQ(adjuster.calls[0], (Correction{Correction::Kind::step, 30s}));
  EXPECT_EQ(adjuster.calls[1], (Correction{Correction::Kind::slew, -3ms}));
}

TEST(ClockCorrection, DescribesWhatItWouldDo) {
  EXPECT_EQ(describe(decide_correction(2500ms)), "slew the clock by +2.500000000 s");
  EXPECT_EQ(describe(decide_correction(-30s)), "step the clock by -30.000000000 s");
}

}  // namespace
}  // namespace cw::ntp
