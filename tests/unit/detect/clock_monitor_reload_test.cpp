// tests/unit/detect/clock_monitor_reload_test.cpp — ClockMonitor::reconfigure (the agent's
// SIGHUP): a new threshold judges from the next poll on, the drift state carries over (a drift
// under the old threshold clears under a higher one, it is not raised again), and a new server
// list is due at once while the old servers are forgotten.
#include <gtest/gtest.h>

#include "detect/clock/clock_monitor.h"
#include "support/fake_clock.h"

namespace cw::detect {
namespace {

using events::EventType;
using namespace std::chrono_literals;

PollRound round_with(Duration offset) {
  const ClockSample sample{"127.0.0.1:123", offset, 2ms, 10ms, 2};
  PollRound round;
  round.servers.push_back({"127.0.0.1:123", PollStatus::ok, sample, "", false, 2});
  round.combined = sample;
  return round;
}

ClockMonitorConfig with_threshold(Duration threshold) {
  ClockMonitorConfig c;
  c.agent_id = "agent1";
  c.threshold = threshold;
  c.frequency_limit_ppm = 1e9;  // the scripted offsets jump
  return c;
}

class ClockMonitorReloadTest : public ::testing::Test {
 protected:
  std::vector<EventType> poll(Duration offset) {
    clock.advance(64s);
    std::vector<EventType> types;
    for (const auto& e : monitor.on_poll(round_with(offset), clock.now(), clock.monotonic_now()))
      types.push_back(e.type);
    return types;
  }

  testing::FakeClock clock;
  ClockMonitor monitor{with_threshold(10s), {"127.0.0.1:123"}, clock.monotonic_now()};
};

TEST_F(ClockMonitorReloadTest, ANewThresholdJudgesTheNextPoll) {
  EXPECT_TRUE(poll(2500ms).empty());
  monitor.reconfigure(with_threshold(1s), std::nullopt, clock.monotonic_now());
  EXPECT_EQ(monitor.config().threshold, 1s);
  EXPECT_EQ(poll(2500ms), std::vector{EventType::time_drift});
}

TEST_F(ClockMonitorReloadTest, TheDriftStateCarriesOver) {
  ASSERT_EQ(poll(20s), std::vector{EventType::time_drift});
  monitor.reconfigure(with_threshold(15s), std::nullopt, clock.monotonic_now());
  EXPECT_TRUE(poll(20s).empty());  // still drifting: not raised a second time
  monitor.reconfigure(with_threshold(30s), std::nullopt, clock.monotonic_now());
  EXPECT_EQ(poll(20s), std::vector{EventType::time_drift_cleared});  // under 30 − 3 s
  EXPECT_FALSE(monitor.status().drifting);
}

TEST_F(ClockMonitorReloadTest, NewServersAreDueAtOnce) {
  (void)poll(1s);
  EXPECT_TRUE(monitor.servers_due(clock.monotonic_now()).empty());  // the next poll is 64 s away
  monitor.reconfigure(with_threshold(10s), std::vector<std::string>{"a:123", "b:123"},
                      clock.monotonic_now());
  EXPECT_EQ(monitor.servers_due(clock.monotonic_now()),
            (std::vector<std::string>{"a:123", "b:123"}));
}

}  // namespace
}  // namespace cw::detect
