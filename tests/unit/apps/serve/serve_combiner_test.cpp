// tests/unit/apps/serve_combiner_test.cpp — the served clock from upstream samples: virtual clock
// by default, and with --discipline the correction goes to the (simulated) ClockAdjuster only.
#include "apps/serve/serve_combiner.h"

#include <gtest/gtest.h>

#include <vector>

#include "support/fake_clock.h"

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

// The upstream thread's loop on a simulated clock: a poll every 64 s, answered or not.
struct SyncLoop {
  testing::FakeClock clock{kNow};
  UpstreamCombiner combiner;
  SharedServerState::Snapshot served{ntp::unsynchronized_state(ntp::Precision{-20}),
                                     Duration::zero()};
  explicit SyncLoop(std::size_t upstreams, std::optional<std::uint8_t> local = std::nullopt)
      : combiner(upstreams, ntp::Precision{-20}, nullptr, 25s, local) {}
  void poll(std::size_t i, bool answers, Duration offset = 3s) {
    clock.advance(64s);
    combiner.polled(i);
    if (answers) {
      auto s = sample(offset);
      s.measurement.time = clock.now();
      combiner.add(i, *IpAddress::parse("192.0.2." + std::to_string(i + 1)), s);
      if (auto next = combiner.update(clock.now())) served = *next;
    }
    if (auto fallback = combiner.lost(clock.now(), served)) served = *fallback;
  }
};

TEST(UpstreamCombiner, ServesLeap3OnceEveryUpstreamIsUnreachable) {
  SyncLoop loop(1);
  loop.poll(0, true);
  ASSERT_EQ(loop.served.state.leap, ntp::LeapIndicator::no_warning);
  for (int i = 0; i < 7; ++i) {  // seven silent polls: the reach register still has its bit
    loop.poll(0, false);
    EXPECT_EQ(loop.served.state.stratum.value, 3) << i;
  }
  loop.poll(0, false);  // the eighth: reach is empty
  EXPECT_EQ(loop.served.state.leap, ntp::LeapIndicator::unsynchronized);
  EXPECT_EQ(loop.served.state.stratum.value, 16);
  EXPECT_EQ(loop.served.offset, 3s);  // the virtual clock keeps its last estimate
  EXPECT_FALSE(loop.combiner.serving_upstream());
  loop.poll(0, true);  // it answers again
  EXPECT_EQ(loop.served.state.leap, ntp::LeapIndicator::no_warning);
  EXPECT_EQ(loop.served.state.stratum.value, 3);
}

TEST(UpstreamCombiner, FallsBackToTheLocalStratumWhenOneIsConfigured) {
  SyncLoop loop(1, std::uint8_t{10});
  loop.poll(0, true);
  for (int i = 0; i < 8; ++i) loop.poll(0, false);
  EXPECT_EQ(loop.served.state.leap, ntp::LeapIndicator::no_warning);
  EXPECT_EQ(loop.served.state.stratum.value, 10);
  EXPECT_EQ(loop.served.state.reference_id, ntp::RefId::from_ascii("LOCL"));
  EXPECT_EQ(loop.served.state.reference_time, loop.clock.now() + 3s);  // on the served clock
}

TEST(UpstreamCombiner, OneUnreachableUpstreamOfTwoIsNotSelectedAndNotALoss) {
  SyncLoop loop(2);
  loop.poll(0, true, 3s);
  loop.poll(1, true, 3s + 1ms);
  for (int i = 0; i < 8; ++i) {
    loop.poll(0, false);
    loop.poll(1, true, 3s + 1ms);
  }
  EXPECT_EQ(loop.served.state.leap, ntp::LeapIndicator::no_warning);
  EXPECT_EQ(loop.combiner.system_peer().value(), 1u);
  EXPECT_EQ(loop.served.state.reference_id, ntp::RefId::from_u32(0xc0000202));
}

TEST(UpstreamCombiner, NeverSynchronizedIsNotALoss) {
  SyncLoop loop(1, std::uint8_t{10});
  for (int i = 0; i < 10; ++i) loop.poll(0, false);
  EXPECT_FALSE(
      loop.combiner.lost(loop.clock.now(), loop.served));  // the shell serves the fallback already
}

}  // namespace
}  // namespace cw::apps
