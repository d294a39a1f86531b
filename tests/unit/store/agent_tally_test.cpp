// Unit tests for store/agent_tally.h: what new events change in an agent's row, and the merge
// rule every engine's upsert follows, with literal values.
#include "store/agent_tally.h"

#include <gtest/gtest.h>

#include "unit/events/sample_events.h"

namespace cw::store {
namespace {

using namespace events;
using namespace events::testing;

TEST(AgentTally, CountsEventsAlertsHeartbeatsAndKeepsTheNewestOffset) {
  auto older = drift_event(9, at(90));
  std::get<ClockData>(older.data).offset = Duration{-5};
  const std::vector<Event> events{drift_event(1, at(100)), heartbeat_event(2, at(130)), older,
                                  Event{at(140),
                                        "agent-01",
                                        kCollectorSequenceBit | 1,
                                        EventType::agent_down,
                                        Severity::high,
                                        {},
                                        {}}};
  AgentTallies tallies;  // views the events' agent ids
  for (const auto& e : events) tallies.add(e);
  ASSERT_EQ(tallies.all().size(), 1u);
  const auto& t = tallies.all()[0];
  EXPECT_EQ(t.first_seen, unix_ns(at(90)));
  EXPECT_EQ(t.last_seen, unix_ns(at(140)));
  EXPECT_EQ(t.last_sequence, 9u);  // not the collector-made one
  EXPECT_TRUE(t.from_agent);
  EXPECT_EQ(t.events, 4u);
  EXPECT_EQ(t.alerts, 3u);
  EXPECT_EQ(t.heartbeats, 1u);
  EXPECT_EQ(t.offset, 150'123'457);
  EXPECT_EQ(t.offset_at, unix_ns(at(100)));
}

TEST(AgentTally, KeepsAgentsApartInTheOrderTheyAppear) {
  std::vector<Event> events;  // the tallies view the events' agent ids
  for (const char* agent : {"b", "a", "b"})
    events.push_back(Event{at(1), agent, 1, EventType::agent_start, Severity::info, {}, {}});
  AgentTallies tallies;
  for (const auto& e : events) tallies.add(e);
  ASSERT_EQ(tallies.all().size(), 2u);
  EXPECT_EQ(tallies.all()[0].agent_id, "b");
  EXPECT_EQ(tallies.all()[0].events, 2u);
}

TEST(AgentTally, OnlyCollectorMadeEventsAreNoSignOfLife) {
  const Event down{at(1), "a", kCollectorSequenceBit | 5, EventType::agent_down, Severity::high,
                   {},    {}};
  AgentTallies tallies;
  tallies.add(down);
  EXPECT_FALSE(tallies.all()[0].from_agent);
  EXPECT_EQ(tallies.all()[0].events, 1u);
}

TEST(AgentTally, MergeTakesExtremesAddsCountsAndReplacesOnlyANewerOffset) {
  const StoredTally stored{10, 50, 7, 3, 1, 2, 111, 40};
  AgentTally newer{.agent_id = "a",
                   .first_seen = 20,
                   .last_seen = 60,
                   .last_sequence = 9,
                   .events = 2,
                   .alerts = 0,
                   .heartbeats = 1,
                   .offset = 222,
                   .offset_at = 45};
  const auto merged = merge(stored, newer);
  EXPECT_EQ(merged.first_seen, 10);
  EXPECT_EQ(merged.last_seen, 60);
  EXPECT_EQ(merged.last_sequence, 9u);
  EXPECT_EQ(merged.events, 5u);
  EXPECT_EQ(merged.heartbeats, 3u);
  EXPECT_EQ(merged.offset, 222);
  newer.offset_at = 30;
  EXPECT_EQ(merge(stored, newer).offset, 111);
}

}  // namespace
}  // namespace cw::store
