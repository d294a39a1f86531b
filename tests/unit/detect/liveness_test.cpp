// Unit tests for detect/liveness.h with literal times: down after 2 intervals + grace, up again
// when heard, one event per transition.
#include "detect/liveness.h"

#include <gtest/gtest.h>

namespace cw::detect {
namespace {

using namespace std::chrono_literals;
using events::EventType;

Timestamp t(double seconds) {
  return from_unix_ns(1'764'000'000'000'000'000) + from_seconds(seconds);
}

TEST(Liveness, DownAfterTwoIntervalsPlusGraceThenUpWhenHeard) {
  LivenessTracker tracker{{.interval = 30s, .grace = 10s, .missed_intervals = 2}};
  EXPECT_FALSE(tracker.heard("a", t(0)).has_value());
  EXPECT_FALSE(tracker.heard("a", t(30)).has_value());
  EXPECT_EQ(tracker.next_deadline(), t(100));  // 30 + 2 × 30 + 10
  EXPECT_TRUE(tracker.check(t(99.999)).empty());
  auto down = tracker.check(t(100));
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].type, EventType::agent_down);
  EXPECT_EQ(down[0].agent_id, "a");
  EXPECT_EQ(down[0].timestamp, t(100));
  EXPECT_EQ(down[0].severity, events::Severity::high);
  EXPECT_EQ(std::get<std::int64_t>(down[0].attributes.at(1).value), 70'000);  // silent_ms
  EXPECT_TRUE(tracker.check(t(500)).empty());                                 // once, not again
  EXPECT_FALSE(tracker.next_deadline().has_value());

  auto up = tracker.heard("a", t(160));
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(up->type, EventType::agent_up);
  EXPECT_EQ(std::get<std::int64_t>(up->attributes.at(0).value), 60'000);  // down_for_ms
  EXPECT_FALSE(tracker.heard("a", t(170)).has_value());
  EXPECT_EQ(tracker.next_deadline(), t(240));
}

TEST(Liveness, EachAgentHasItsOwnClockAndInterval) {
  LivenessTracker tracker{{.interval = 30s, .grace = 10s, .missed_intervals = 2}};
  tracker.heard("slow", t(0), 300s);
  tracker.heard("fast", t(0), 1s);
  EXPECT_EQ(tracker.next_deadline(), t(12));
  auto down = tracker.check(t(12));
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].agent_id, "fast");
  EXPECT_TRUE(tracker.check(t(609)).empty());
  EXPECT_EQ(tracker.check(t(610)).size(), 1u);
}

TEST(Liveness, TransitionSequencesNeverCollideWithTheAgentsOwn) {
  LivenessTracker tracker{{.interval = 1s, .grace = 0s, .missed_intervals = 2}};
  tracker.heard("a", t(0));
  auto down = tracker.check(t(2));
  auto up = tracker.heard("a", t(3));
  ASSERT_EQ(down.size(), 1u);
  ASSERT_TRUE(up.has_value());
  EXPECT_NE(down[0].sequence & kCollectorSequenceBit, 0u);
  EXPECT_NE(up->sequence & kCollectorSequenceBit, 0u);
  EXPECT_NE(down[0].sequence, up->sequence);
}

TEST(Liveness, RestoredDownAgentComesBackUpWithAnEvent) {
  LivenessTracker tracker;
  tracker.restore("a", t(0), /*up=*/false);
  EXPECT_TRUE(tracker.check(t(1000)).empty());
  auto up = tracker.heard("a", t(1000));
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(up->type, EventType::agent_up);
}

TEST(Liveness, LateOrOutOfOrderReportsDoNotMoveLastHeardBack) {
  LivenessTracker tracker{{.interval = 10s, .grace = 0s, .missed_intervals = 2}};
  tracker.heard("a", t(50));
  tracker.heard("a", t(40));  // an older event arriving late
  EXPECT_EQ(tracker.next_deadline(), t(70));
}

}  // namespace
}  // namespace cw::detect
