// tests/unit/apps/serve/serve_combiner_test.cpp — the served clock from the upstreams' ntp::Source
// associations, driven with literal replies on the fake clock: virtual clock by default, and with
// --discipline the correction goes to the (simulated) ClockAdjuster only.
#include "apps/serve/serve_combiner.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/fake_clock.h"
#include "support/ntp_reply.h"

namespace cw::apps {
namespace {

using namespace std::chrono_literals;

const Timestamp kNow = from_unix_ns(1'763'800'000'000'000'000);

struct RecordingAdjuster : ClockAdjuster {
  std::vector<std::pair<char, Duration>> calls;
  void step(Duration offset) override { calls.emplace_back('s', offset); }
  void slew(Duration offset) override { calls.emplace_back('w', offset); }
};

IpAddress address(std::size_t i) { return *IpAddress::parse("192.0.2." + std::to_string(i + 1)); }

// Upstream i is an ntp::Source at 192.0.2.(i+1) whose server answers 1 ms after each request
// (root delay 2 ms, root dispersion 1 ms), its clock `offset` ahead of ours; a poll every 64 s.
struct SyncLoop {
  testing::FakeClock clock{kNow};
  testing::CountingRandom random;
  ntp::SourceConfig config;
  std::vector<std::unique_ptr<ntp::Source>> sources;
  UpstreamCombiner combiner;
  SharedServerState::Snapshot served{ntp::unsynchronized_state(ntp::Precision{-20}),
                                     Duration::zero()};

  explicit SyncLoop(std::size_t upstreams, std::optional<std::uint8_t> local = std::nullopt,
                    ClockAdjuster* adjuster = nullptr)
      : combiner(upstreams, ntp::Precision{-20}, adjuster, 25s, local) {
    for (std::size_t i = 0; i < upstreams; ++i) {
      sources.push_back(std::make_unique<ntp::Source>(ntp::SourceAuth{}, config, random));
      combiner.track(i, *sources[i], address(i));
    }
  }
  // One request from upstream i, answered or left to time out.
  void ask(std::size_t i, bool answers, Duration offset) {
    auto& source = *sources[i];
    const auto a = source.start_burst(1, 1s, clock.monotonic_now());
    const Timestamp t1 = clock.now();
    if (!answers) {
      clock.advance(config.timeout);
      source.on_timer(clock.monotonic_now());
      return;
    }
    const auto reply = testing::reply_to(a.send, t1 + 500us + offset, t1 + 500us + offset);
    clock.advance(1ms);
    source.on_datagram(reply, t1, clock.now(), clock.monotonic_now());
  }
  // 64 s later upstream i is polled; the shell then updates and checks for the loss.
  void poll(std::size_t i, bool answers, Duration offset = 3s) {
    clock.advance(64s);
    ask(i, answers, offset);
    if (answers)
      if (auto next = combiner.update(clock.now())) served = *next;
    if (auto fallback = combiner.lost(clock.now(), served)) served = *fallback;
  }
};

bool near(Duration a, Duration b) { return std::abs((a - b).count()) < 1000; }  // within 1 µs

TEST(UpstreamCombiner, VirtualClockServesTheUpstreamOffsetAtStratumPlusOne) {
  SyncLoop loop(1);
  EXPECT_FALSE(loop.combiner.update(loop.clock.now()));
  loop.ask(0, true, 3s);
  const auto now = loop.clock.now();
  const auto snap = loop.combiner.update(now).value();
  EXPECT_TRUE(near(snap.offset, 3s));
  EXPECT_EQ(snap.state.stratum.value, 3);
  EXPECT_EQ(snap.state.reference_id, ntp::RefId::from_u32(0xc0000201));
  EXPECT_EQ(snap.state.leap, ntp::LeapIndicator::no_warning);
  EXPECT_EQ(snap.state.reference_time, now + snap.offset);
  EXPECT_GE(snap.state.root_delay, 2900us);      // its root delay (2 ms, 16-bit) + our 1 ms to it
  EXPECT_LT(snap.state.root_dispersion, 100ms);  // not the filter's empty stages
}

TEST(UpstreamCombiner, DisciplineStepsAboveTheThresholdAndServesZeroOffset) {
  RecordingAdjuster adjuster;
  SyncLoop loop(1, std::nullopt, &adjuster);
  loop.ask(0, true, 30s);
  const auto snap = loop.combiner.update(loop.clock.now()).value();
  EXPECT_EQ(snap.offset, 0s);
  ASSERT_EQ(adjuster.calls.size(), 1u);
  EXPECT_EQ(adjuster.calls[0].first, 's');
  EXPECT_TRUE(near(adjuster.calls[0].second, 30s));
  // The step made the source forget its filter: a new small offset is slewed, not stepped again.
  EXPECT_FALSE(loop.combiner.update(loop.clock.now()));
  loop.clock.advance(1s);
  loop.ask(0, true, 2ms);
  loop.combiner.update(loop.clock.now());
  ASSERT_EQ(adjuster.calls.size(), 2u);
  EXPECT_EQ(adjuster.calls[1].first, 'w');
  EXPECT_TRUE(near(adjuster.calls[1].second, 2ms));
  // No new best measurement, no new correction.
  loop.clock.advance(1s);
  loop.combiner.update(loop.clock.now());
  EXPECT_EQ(adjuster.calls.size(), 2u);
}

TEST(UpstreamCombiner, SelectsAcrossUpstreamsAndOutvotesAFalseticker) {
  SyncLoop loop(3);
  loop.ask(0, true, 10ms);
  loop.ask(1, true, 11ms);
  loop.ask(2, true, 5s);  // a falseticker
  const auto snap = loop.combiner.update(loop.clock.now()).value();
  EXPECT_LT(snap.offset, 20ms);
  EXPECT_GT(snap.offset, 5ms);
  EXPECT_NE(loop.combiner.system_peer().value(), 2u);
}

TEST(UpstreamCombiner, AnUpstreamNotYetTrackedIsNoCandidate) {
  UpstreamCombiner combiner(2, ntp::Precision{-20}, nullptr, 25s);
  EXPECT_FALSE(combiner.any_reachable());
  EXPECT_FALSE(combiner.update(kNow));
}

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
  EXPECT_TRUE(near(loop.served.offset, 3s));  // the virtual clock keeps its last estimate
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
  EXPECT_EQ(loop.served.state.reference_time,
            loop.clock.now() + loop.served.offset);  // served clock
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
