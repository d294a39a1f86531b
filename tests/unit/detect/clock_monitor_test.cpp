// tests/unit/detect/clock_monitor_test.cpp — the drift state machine (crossing, repeats with
// back-off, hysteresis), clock steps against the injected clock, and per-server events, driven by
// a FakeClock and scripted poll rounds.
#include "detect/clock/clock_monitor.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace cw::detect {
namespace {

using events::EventType;
using namespace std::chrono_literals;

ClockSample sample(Duration offset, std::string server = "127.0.0.1:123") {
  return ClockSample{std::move(server), offset, 2ms, 10ms, 2};
}

PollRound round_with(Duration offset) {
  PollRound round;
  round.servers.push_back({"127.0.0.1:123", PollStatus::ok, sample(offset), "", false, 2});
  round.combined = sample(offset);
  return round;
}

std::vector<EventType> types(const std::vector<events::Event>& events) {
  std::vector<EventType> result;
  for (const auto& e : events) result.push_back(e.type);
  return result;
}

class ClockMonitorTest : public ::testing::Test {
 protected:
  ClockMonitorConfig config() {
    ClockMonitorConfig c;
    c.agent_id = "agent1";
    c.frequency_limit_ppm = 1e9;  // these scripted offsets jump; frequency has its own tests
    return c;
  }
  std::vector<events::Event> poll(Duration offset) {
    clock.advance(64s);
    return monitor.on_poll(round_with(offset), clock.now(), clock.monotonic_now());
  }
  std::vector<events::Event> tick() {
    clock.advance(250ms);
    return monitor.on_tick(clock.now(), clock.boot_now(), clock.monotonic_now());
  }

  testing::FakeClock clock;
  ClockMonitor monitor{config(), {"127.0.0.1:123"}, clock.monotonic_now()};
};

TEST_F(ClockMonitorTest, WithinThresholdRaisesNothing) {
  EXPECT_TRUE(poll(1ms).empty());
  EXPECT_TRUE(poll(-299s).empty());
  EXPECT_TRUE(poll(300s).empty());  // "exceeds": equal is not beyond
}

TEST_F(ClockMonitorTest, CrossingRaisesTimeDriftOnceWithTheMeasuredValues) {
  const auto events = poll(-600s);
  ASSERT_EQ(types(events), std::vector{EventType::time_drift});
  const auto& data = std::get<events::ClockData>(events[0].data);
  EXPECT_EQ(data.offset, -600s);
  EXPECT_EQ(data.threshold, 300s);
  EXPECT_EQ(data.server, "127.0.0.1:123");
  EXPECT_EQ(data.delay, 2ms);
  EXPECT_EQ(data.error_bound, 10ms);
  EXPECT_EQ(events[0].agent_id, "agent1");
  EXPECT_EQ(events[0].severity, events::Severity::high);
  EXPECT_EQ(events[0].timestamp, clock.now());
  EXPECT_TRUE(poll(-600s).empty());  // 64 s later: still drifting, no repeat yet
}

TEST_F(ClockMonitorTest, RepeatsWithBackOffWhileItLasts) {
  ASSERT_EQ(poll(400s).size(), 1u);
  std::vector<Duration> repeat_times;
  const auto start = clock.monotonic_now();
  for (int i = 0; i < 200; ++i) {  // 200 polls of 64 s ≈ 3.5 h
    const auto events = poll(400s);
    if (!events.empty()) {
      EXPECT_EQ(types(events), std::vector{EventType::time_drift});
      repeat_times.push_back(clock.monotonic_now() - start);
    }
  }
  // first repeat ≥ 5 min after crossing, then intervals 10, 20, 40, 60, 60 ... minutes
  ASSERT_GE(repeat_times.size(), 5u);
  EXPECT_GE(repeat_times[0], 5min);
  EXPECT_LT(repeat_times[0], 5min + 64s);
  EXPECT_GE(repeat_times[1] - repeat_times[0], 10min);
  EXPECT_GE(repeat_times[2] - repeat_times[1], 20min);
  EXPECT_GE(repeat_times[4] - repeat_times[3], 60min);
  EXPECT_LT(repeat_times[4] - repeat_times[3], 60min + 64s);
}

TEST_F(ClockMonitorTest, ClearsOnlyBelowHysteresis) {
  ASSERT_EQ(poll(-301s).size(), 1u);
  EXPECT_TRUE(poll(-299s).empty());  // under threshold, above 270 s: still drifting
  EXPECT_TRUE(poll(-301s).empty());  // back over: not raised again (no flapping)
  EXPECT_TRUE(poll(-271s).empty());
  EXPECT_EQ(types(poll(-269s)), std::vector{EventType::time_drift_cleared});
  EXPECT_TRUE(poll(-10s).empty());
  EXPECT_EQ(types(poll(301s)), std::vector{EventType::time_drift});  // crossed again
}

TEST_F(ClockMonitorTest, ClockStepIsNoticedAtTheNextTickWithoutAPoll) {
  EXPECT_TRUE(tick().empty());  // baseline
  EXPECT_TRUE(tick().empty());
  clock.step_wall(600s);  // `date -s` ten minutes ahead
  const auto events = tick();
  ASSERT_EQ(types(events), std::vector{EventType::clock_step});
  EXPECT_EQ(std::get<events::ClockData>(events[0].data).step, 600s);
  EXPECT_EQ(events[0].severity, events::Severity::high);
  EXPECT_TRUE(tick().empty());  // once per step
  // and the servers are due at once, to measure the new offset
  EXPECT_EQ(monitor.servers_due(clock.monotonic_now()).size(), 1u);
}

TEST_F(ClockMonitorTest, BackwardsStepAndSmallStepAreMeasured) {
  tick();
  clock.step_wall(-2s);
  const auto events = tick();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<events::ClockData>(events[0].data).step, -2s);
  EXPECT_EQ(events[0].severity, events::Severity::medium);
  clock.step_wall(50ms);  // below the 100 ms step threshold: slewing territory
  EXPECT_TRUE(tick().empty());
}

TEST_F(ClockMonitorTest, SuspendIsNotAStep) {
  tick();
  clock.suspend(1h);  // boot time counts the sleep, so wall − boot is unchanged
  EXPECT_TRUE(tick().empty());
}

TEST_F(ClockMonitorTest, OnlyDueServersArePolled) {
  EXPECT_EQ(monitor.servers_due(clock.monotonic_now()).size(), 1u);
  poll(0s);
  EXPECT_TRUE(monitor.servers_due(clock.monotonic_now()).empty());
  EXPECT_EQ(*monitor.next_poll(), clock.monotonic_now() + 64s);
}

}  // namespace
}  // namespace cw::detect
