// tests/unit/detect/clock_servers_test.cpp — reachability, unsynchronized servers, falsetickers
// and Kiss-o'-Death handling (RFC 5905 §7.4) as the monitor reports them.
#include <gtest/gtest.h>

#include "detect/clock/clock_monitor.h"
#include "support/fake_clock.h"

namespace cw::detect {
namespace {

using events::EventType;
using namespace std::chrono_literals;

const std::string kA = "127.0.0.1:1123";
const std::string kB = "127.0.0.2:1123";

ServerOutcome ok(const std::string& server, bool falseticker = false) {
  return {server, PollStatus::ok, ClockSample{server, 1ms, 1ms, 1ms, 2}, "", falseticker, 2};
}
ServerOutcome status(const std::string& server, PollStatus s, std::string code = "") {
  return {server,          s,     std::nullopt,
          std::move(code), false, s == PollStatus::unsynchronized ? 16 : 0};
}

class ServersTest : public ::testing::Test {
 protected:
  std::vector<EventType> poll(std::vector<ServerOutcome> outcomes) {
    clock.advance(64s);
    PollRound round{std::move(outcomes), std::nullopt};
    std::vector<EventType> result;
    for (const auto& e : monitor.on_poll(round, clock.now(), clock.monotonic_now()))
      result.push_back(e.type);
    return result;
  }
  testing::FakeClock clock;
  ClockMonitor monitor{ClockMonitorConfig{}, {kA, kB}, clock.monotonic_now()};
};

TEST_F(ServersTest, UnreachableAfterThreeFailuresThenRecovered) {
  EXPECT_TRUE(poll({status(kA, PollStatus::no_reply)}).empty());
  EXPECT_TRUE(poll({status(kA, PollStatus::invalid)}).empty());
  EXPECT_EQ(poll({status(kA, PollStatus::no_reply)}), std::vector{EventType::ntp_unreachable});
  EXPECT_TRUE(poll({status(kA, PollStatus::no_reply)}).empty());  // once
  EXPECT_EQ(poll({ok(kA)}), std::vector{EventType::ntp_recovered});
  EXPECT_TRUE(poll({ok(kA)}).empty());
}

TEST_F(ServersTest, UnsynchronizedServerIsReportedOncePerEpisode) {
  EXPECT_EQ(poll({status(kB, PollStatus::unsynchronized)}),
            std::vector{EventType::server_unsynchronized});
  EXPECT_TRUE(poll({status(kB, PollStatus::unsynchronized)}).empty());
  EXPECT_TRUE(poll({ok(kB)}).empty());
  EXPECT_EQ(poll({status(kB, PollStatus::unsynchronized)}),
            std::vector{EventType::server_unsynchronized});
}

TEST_F(ServersTest, FalsetickerIsReportedWhenItBecomesOne) {
  EXPECT_EQ(poll({ok(kA), ok(kB, true)}), std::vector{EventType::falseticker});
  EXPECT_TRUE(poll({ok(kA), ok(kB, true)}).empty());
  EXPECT_TRUE(poll({ok(kA), ok(kB, false)}).empty());
  EXPECT_EQ(poll({ok(kA), ok(kB, true)}), std::vector{EventType::falseticker});
}

TEST_F(ServersTest, RateKissDoublesThePollInterval) {
  EXPECT_EQ(poll({status(kA, PollStatus::kiss_of_death, "RATE")}),
            std::vector{EventType::kiss_of_death});
  const auto& state = monitor.servers().states().at(kA);
  EXPECT_EQ(state.interval, 128s);
  EXPECT_EQ(state.next_due, clock.monotonic_now() + 128s);
  poll({status(kA, PollStatus::kiss_of_death, "RATE")});
  EXPECT_EQ(monitor.servers().states().at(kA).interval, 256s);
}

TEST_F(ServersTest, DenyKissStopsPollingThatServer) {
  EXPECT_EQ(poll({status(kA, PollStatus::kiss_of_death, "DENY")}),
            std::vector{EventType::kiss_of_death});
  clock.advance(1h);
  EXPECT_EQ(monitor.servers_due(clock.monotonic_now()), std::vector{kB});
  EXPECT_FALSE(monitor.all_servers_denied());
  poll({status(kB, PollStatus::kiss_of_death, "RSTR")});
  EXPECT_TRUE(monitor.all_servers_denied());
  EXPECT_FALSE(monitor.next_poll().has_value());
}

}  // namespace
}  // namespace cw::detect
