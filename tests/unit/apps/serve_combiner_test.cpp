// tests/unit/apps/serve_combiner_test.cpp — the served clock from upstream samples: virtual clock
// by default, and with --discipline the correction goes to the (simulated) ClockAdjuster only.
#include "apps/serve_combiner.h"

#include <gtest/gtest.h>

#include <vector>

namespace cw::apps {
namespace {

using namespace std::chrono_literals;

const Timestamp kNow = from_unix_ns(1'763'800'000'000'000'000);

struct RecordingAdjuster : ClockAdjuster {
  std::vector<std::pair<char, Duration>> calls;
  void step(Duration offset) override { calls.emplace_back('s', offset); }
  void slew(Duration offset) override { calls.emplace_back('w', offset); }
};

ntp::Sample sample(Duration offset, std::uint8_t stratum = 2) {
  ntp::Sample s;
  s.server.stratum = ntp::Stratum{stratum};
  s.server.leap = ntp::LeapIndicator::no_warning;
  s.measurement.offset = offset;
  s.measurement.delay = 200us;
  s.measurement.dispersion = 50us;
  s.measurement.time = kNow;
  s.root.root_delay = 1ms;
  s.root.root_dispersion = 2ms;
  return s;
}

TEST(UpstreamCombiner, VirtualClockServesTheUpstreamOffsetAtStratumPlusOne) {
  UpstreamCombiner c(1, ntp::Precision{-20}, nullptr, 25s);
  EXPECT_FALSE(c.update(kNow));
  c.add(0, *IpAddress::parse("192.0.2.7"), sample(3s));
  const auto snap = c.update(kNow).value();
  EXPECT_EQ(snap.offset, 3s);
  EXPECT_EQ(snap.state.stratum.value, 3);
  EXPECT_EQ(snap.state.reference_id, ntp::RefId::from_u32(0xc0000207));
  EXPECT_EQ(snap.state.leap, ntp::LeapIndicator::no_warning);
  EXPECT_EQ(snap.state.reference_time, kNow + 3s);
  EXPECT_GE(snap.state.root_delay, 1ms + 200us);
  EXPECT_LT(snap.state.root_dispersion, 100ms);  // not the filter's empty stages
}

TEST(UpstreamCombiner, DisciplineStepsAboveTheThresholdAndServesZeroOffset) {
  RecordingAdjuster adjuster;
  UpstreamCombiner c(1, ntp::Precision{-20}, &adjuster, 25s);
  c.add(0, *IpAddress::parse("192.0.2.7"), sample(30s));
  const auto snap = c.update(kNow).value();
  EXPECT_EQ(snap.offset, 0s);
  ASSERT_EQ(adjuster.calls.size(), 1u);
  EXPECT_EQ(adjuster.calls[0], std::make_pair('s', Duration{30s}));
  // The filters were reset by the step: a new small offset is slewed, not stepped again.
  c.add(0, *IpAddress::parse("192.0.2.7"), sample(2ms));
  c.update(kNow + 1s);
  ASSERT_EQ(adjuster.calls.size(), 2u);
  EXPECT_EQ(adjuster.calls[1], std::make_pair('w', Duration{2ms}));
  // No fresh sample, no new correction.
  c.update(kNow + 2s);
  EXPECT_EQ(adjuster.calls.size(), 2u);
}

TEST(UpstreamCombiner, SelectsAcrossUpstreamsAndOutvotesAFalseticker) {
  UpstreamCombiner c(3, ntp::Precision{-20}, nullptr, 25s);
  c.add(0, *IpAddress::parse("192.0.2.1"), sample(10ms));
  c.add(1, *IpAddress::parse("192.0.2.2"), sample(11ms));
  c.add(2, *IpAddress::parse("192.0.2.3"), sample(5s));  // a falseticker
  const auto snap = c.update(kNow).value();
  EXPECT_LT(snap.offset, 20ms);
  EXPECT_GT(snap.offset, 5ms);
  EXPECT_NE(c.system_peer().value(), 2u);
}

}  // namespace
}  // namespace cw::apps
