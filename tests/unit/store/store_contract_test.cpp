// The store contract: one typed GoogleTest suite that every EventStore engine runs (SQLite, and
// PostgreSQL in a throwaway cluster): round trips, exactly-once inserts, filters, replay order,
// agents and their tallies, far-off timestamps, reopening. An engine passes all or is not one.
#include <gtest/gtest.h>

#include <algorithm>

#include "store/event_store.h"
#include "store/replay.h"
#include "store_engines.h"
#include "unit/events/sample_events.h"

namespace cw::store {
namespace {

using namespace events;
using namespace events::testing;

Event simple(const std::string& agent, std::uint64_t sequence, Timestamp when,
             EventType type = EventType::agent_start, Severity severity = Severity::info) {
  return Event{when, agent, sequence, type, severity, {}, {}};
}

template <typename Engine>
class StoreContract : public ::testing::Test {
 protected:
  StoreContract() : store_(open_store(engine_.url())) {}
  EventStore& store() { return *store_; }
  std::unique_ptr<EventStore> reopen(bool read_only = false) {
    return open_store(engine_.url(), {.read_only = read_only});
  }
  std::vector<std::string> keys(const EventFilter& filter) {
    std::vector<std::string> out;
    for (const auto& e : store().query(filter))
      out.push_back(e.agent_id + std::to_string(e.sequence));
    return out;
  }

  Engine engine_;
  std::unique_ptr<EventStore> store_;
};

using Engines = ::testing::Types<testing::SqliteEngine, testing::PostgresEngine>;
struct EngineNames {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};
TYPED_TEST_SUITE(StoreContract, Engines, EngineNames);

using V = std::vector<std::string>;

TYPED_TEST(StoreContract, StoresAndReturnsEventsWithTheirData) {
  const auto events = mixed_events();
  EXPECT_EQ(this->store().insert(events), events.size());
  std::vector<Event> expected = events;
  std::sort(expected.begin(), expected.end(),
            [](const Event& a, const Event& b) { return a.timestamp < b.timestamp; });
  EXPECT_EQ(this->store().query({}), expected);
}

TYPED_TEST(StoreContract, DuplicatesAreIgnoredSoTheStoreIsExactlyOnce) {
  auto& store = this->store();
  const std::vector<Event> batch{simple("a", 1, at(10)), simple("a", 2, at(11)),
                                 simple("b", 1, at(12))};
  EXPECT_EQ(store.insert(batch), 3u);
  EXPECT_EQ(store.insert(batch), 0u);
  EXPECT_EQ(store.insert(std::vector{simple("a", 2, at(11)), simple("a", 3, at(13))}), 1u);
  EXPECT_EQ(store.query({}).size(), 4u);
  EXPECT_EQ(store.agent("a")->event_count, 3u);
  EXPECT_EQ(store.agent("a")->last_sequence, 3u);
}

TYPED_TEST(StoreContract, ADuplicateInsideOneBatchIsStoredOnce) {
  EXPECT_EQ(this->store().insert(std::vector{simple("a", 1, at(10)), simple("a", 1, at(10)),
                                             simple("a", 2, at(11))}),
            2u);
  EXPECT_EQ(this->store().agent("a")->event_count, 2u);
}

TYPED_TEST(StoreContract, LargeBatchesWithDuplicatesAnywhereStoreAndCountOnlyNewEvents) {
  auto& store = this->store();
  std::vector<Event> first, overlapping, tail_duplicate;
  for (std::uint64_t s = 1; s <= 150; ++s)
    first.push_back(simple("a", s, at(static_cast<std::int64_t>(s))));
  EXPECT_EQ(store.insert(first), 150u);
  for (std::uint64_t s = 140; s <= 300; ++s)
    overlapping.push_back(simple("a", s, at(static_cast<std::int64_t>(s))));
  EXPECT_EQ(store.insert(overlapping), 150u);
  for (std::uint64_t s = 301; s <= 428; ++s)
    tail_duplicate.push_back(simple("a", s, at(static_cast<std::int64_t>(s))));
  tail_duplicate.push_back(simple("a", 5, at(5)));
  EXPECT_EQ(store.insert(tail_duplicate), 128u);
  EXPECT_EQ(store.query({}).size(), 428u);
  EXPECT_EQ(store.agent("a")->event_count, 428u);
  EXPECT_EQ(store.agent("a")->last_sequence, 428u);
  EXPECT_EQ(store.agent("a")->first_seen, at(1));
}

TYPED_TEST(StoreContract, ReopeningKeepsEverythingAndReadersSeeIt) {
  this->store().insert(std::vector{simple("a", 1, at(10))});
  auto again = this->reopen();
  EXPECT_EQ(again->insert(std::vector{simple("a", 1, at(10))}), 0u);
  EXPECT_EQ(again->query({}).size(), 1u);
  auto reader = this->reopen(/*read_only=*/true);
  EXPECT_EQ(reader->query({}).size(), 1u);
  EXPECT_EQ(reader->agents().size(), 1u);
}

TYPED_TEST(StoreContract, FiltersBySinceUntilAgentTypeSeverityAndLimit) {
  this->store().insert(
      std::vector{simple("a", 1, at(100), EventType::heartbeat),
                  simple("a", 2, at(200), EventType::time_drift, Severity::high),
                  simple("b", 1, at(300), EventType::port_scan, Severity::medium),
                  simple("b", 2, at(400), EventType::time_drift, Severity::critical)});
  EXPECT_EQ(this->keys({.since = at(200)}), (V{"a2", "b1", "b2"}));
  EXPECT_EQ(this->keys({.since = at(200), .until = at(400)}), (V{"a2", "b1"}));
  EXPECT_EQ(this->keys({.agent_id = "b"}), (V{"b1", "b2"}));
  EXPECT_EQ(this->keys({.type = EventType::time_drift}), (V{"a2", "b2"}));
  EXPECT_EQ(this->keys({.min_severity = Severity::high}), (V{"a2", "b2"}));
  EXPECT_EQ(this->keys({.limit = 2}), (V{"a1", "a2"}));
  EXPECT_EQ(this->keys({.limit = 2, .latest = true}), (V{"b1", "b2"}));
  EXPECT_EQ(this->keys({.agent_id = "c"}), V{});
}

// Agent ids are bytes: they sort by byte (upper case before lower, UTF-8 after ASCII) on every
// engine, and any byte survives, so replay order is the same everywhere.
TYPED_TEST(StoreContract, AgentIdsAreBytesSortedByByteValue) {
  const std::string odd{"z\xff\x01", 3};
  this->store().insert(std::vector{simple("b", 1, at(5)), simple("\xc3\xa9t\xc3\xa9", 1, at(5)),
                                   simple("B", 1, at(5)), simple(odd, 1, at(5))});
  EXPECT_EQ(this->keys({}), (V{"B1", "b1",
                               "z\xff\x01"
                               "1",
                               "\xc3\xa9t\xc3\xa9"
                               "1"}));
  EXPECT_EQ(this->store().agent(odd)->event_count, 1u);
}

TYPED_TEST(StoreContract, ReplayWalksTimestampAgentSequenceOrderAcrossPages) {
  this->store().insert(std::vector{simple("b", 1, at(10)), simple("a", 7, at(10)),
                                   simple("a", 6, at(10)), simple("a", 1, at(5)),
                                   simple("c", 1, at(20)), simple("c", 2, at(30))});
  ReplayCursor cursor{this->store(), at(5), at(30), /*page=*/2};
  V order;
  while (auto e = cursor.next()) order.push_back(e->agent_id + std::to_string(e->sequence));
  EXPECT_EQ(order, (V{"a1", "a6", "a7", "b1", "c1"}));
}

// Collector-made events (agent_down/up) carry the top sequence bit: stored, ordered and counted
// like any other, and not taken as the agent's last sequence.
TYPED_TEST(StoreContract, CollectorMadeSequencesAreStoredButNotTheAgentsLast) {
  const std::uint64_t made = kCollectorSequenceBit | 123;
  this->store().insert(
      std::vector{simple("a", 7, at(10)), simple("a", made, at(11), EventType::agent_down)});
  EXPECT_EQ(this->store().agent("a")->last_sequence, 7u);
  EXPECT_EQ(this->store().query({.type = EventType::agent_down}).at(0).sequence, made);
}

// This product exists to catch wild clocks: an event decades away from now is stored and served
// by every query like the others.
TYPED_TEST(StoreContract, FarOffTimestampsAreStoredAndServedByEveryQuery) {
  const auto now = from_unix_ns(
      std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  const auto future = at(4'102'444'800);  // 2100-01-01
  this->store().insert(std::vector{simple("a", 1, now), simple("a", 2, future),
                                   simple("a", 3, at(-86'400 * 365))});  // 1969
  EXPECT_EQ(this->keys({}), (V{"a3", "a1", "a2"}));
  EXPECT_EQ(this->keys({.since = future}), (V{"a2"}));
  EXPECT_EQ(this->store().insert(std::vector{simple("a", 2, future)}), 0u);
  ReplayCursor cursor{this->store(), at(-86'400 * 400), at(4'200'000'000)};
  int replayed = 0;
  while (cursor.next()) ++replayed;
  EXPECT_EQ(replayed, 3);
  EXPECT_EQ(this->store().agent("a")->last_seen, future);
}

TYPED_TEST(StoreContract, AgentsCarryIdentityCountsOffsetAndLiveness) {
  auto& store = this->store();
  store.record_agent(
      {"agent-01", {"node-1", {*IpAddress::parse("10.0.0.1"), *IpAddress::parse("::1")}}, "0.1.0"},
      at(50));
  store.insert(std::vector{drift_event(1, at(100)), heartbeat_event(2, at(130)),
                           heartbeat_event(3, at(160))});
  auto later_drift = drift_event(4, at(90));  // older than the first: its offset is not the latest
  std::get<ClockData>(later_drift.data).offset = Duration{-5};
  store.insert(std::vector{later_drift});
  store.set_agent_up("agent-01", false, at(300));

  const auto agents = store.agents();
  ASSERT_EQ(agents.size(), 1u);
  const auto& a = agents[0];
  EXPECT_EQ(a.identity.node.hostname, "node-1");
  EXPECT_EQ(a.identity.node.addresses.size(), 2u);
  EXPECT_EQ(a.identity.version, "0.1.0");
  EXPECT_EQ(a.first_seen, at(50));
  EXPECT_EQ(a.last_seen, at(160));
  EXPECT_EQ(a.event_count, 4u);
  EXPECT_EQ(a.alert_count, 2u);
  EXPECT_EQ(a.heartbeat_count, 2u);
  EXPECT_EQ(a.last_sequence, 4u);
  EXPECT_EQ(a.last_offset, Duration{150'123'457});
  EXPECT_FALSE(a.up);
  EXPECT_EQ(a.state_changed, at(300));
  store.set_agent_up("agent-01", true, at(310));
  EXPECT_TRUE(store.agent("agent-01")->up);
}

TYPED_TEST(StoreContract, LivenessOfAnAgentNeverHeardFromCreatesIt) {
  this->store().set_agent_up("ghost", false, at(5));
  ASSERT_TRUE(this->store().agent("ghost").has_value());
  EXPECT_FALSE(this->store().agent("ghost")->up);
  EXPECT_FALSE(this->store().agent("nobody").has_value());
}

TYPED_TEST(StoreContract, OneStoreLeadsLivenessWhileItLives) {
  EXPECT_TRUE(this->store().lead_liveness());
  EXPECT_TRUE(this->store().lead_liveness());
}

}  // namespace
}  // namespace cw::store
