// Unit tests for store/sqlite_store.h on a real SQLite file in a temporary directory: round trips,
// exactly-once inserts, filters, agents, migrations, reopening.
#include "store/sqlite_store.h"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include "support/temp_dir.h"
#include "unit/events/sample_events.h"

namespace cw::store {
namespace {

using namespace events;
using namespace events::testing;
using cw::testing::TempDir;

Event simple(const std::string& agent, std::uint64_t sequence, Timestamp when,
             EventType type = EventType::agent_start, Severity severity = Severity::info) {
  return Event{when, agent, sequence, type, severity, {}, {}};
}

TEST(SqliteStore, StoresAndReturnsEventsWithTheirData) {
  TempDir dir;
  SqliteEventStore store{dir.file("events.db")};
  const auto events = mixed_events();
  EXPECT_EQ(store.insert(events), events.size());
  auto stored = store.query({});
  std::vector<Event> expected = events;
  std::sort(expected.begin(), expected.end(),
            [](const Event& a, const Event& b) { return a.timestamp < b.timestamp; });
  EXPECT_EQ(stored, expected);
}

TEST(SqliteStore, DuplicatesAreIgnoredSoTheStoreIsExactlyOnce) {
  TempDir dir;
  SqliteEventStore store{dir.file("events.db")};
  const std::vector<Event> batch{simple("a", 1, at(10)), simple("a", 2, at(11)),
                                 simple("b", 1, at(12))};
  EXPECT_EQ(store.insert(batch), 3u);
  EXPECT_EQ(store.insert(batch), 0u);
  // A resent batch that overlaps: only the new one counts.
  EXPECT_EQ(store.insert(std::vector{simple("a", 2, at(11)), simple("a", 3, at(13))}), 1u);
  EXPECT_EQ(store.query({}).size(), 4u);
  EXPECT_EQ(store.agent("a")->event_count, 3u);
  EXPECT_EQ(store.agent("a")->last_sequence, 3u);
}

// Batches of more than one multi-row INSERT (64 rows): a duplicate inside a full chunk or in the
// tail makes the store redo the batch row by row, and the counters still count only new events.
TEST(SqliteStore, LargeBatchesWithDuplicatesAnywhereStoreAndCountOnlyNewEvents) {
  TempDir dir;
  SqliteEventStore store{dir.file("events.db")};
  std::vector<Event> first, overlapping;
  for (std::uint64_t s = 1; s <= 150; ++s)
    first.push_back(simple("a", s, at(static_cast<std::int64_t>(s))));
  EXPECT_EQ(store.insert(first), 150u);
  for (std::uint64_t s = 140; s <= 300; ++s)  // 11 already stored, in the first chunk
    overlapping.push_back(simple("a", s, at(static_cast<std::int64_t>(s))));
  EXPECT_EQ(store.insert(overlapping), 150u);
  std::vector<Event> tail_duplicate;  // 128 new events, then one stored one in the tail
  for (std::uint64_t s = 301; s <= 428; ++s)
    tail_duplicate.push_back(simple("a", s, at(static_cast<std::int64_t>(s))));
  tail_duplicate.push_back(simple("a", 5, at(5)));
  EXPECT_EQ(store.insert(tail_duplicate), 128u);
  EXPECT_EQ(store.query({}).size(), 428u);
  EXPECT_EQ(store.agent("a")->event_count, 428u);
  EXPECT_EQ(store.agent("a")->last_sequence, 428u);
  EXPECT_EQ(store.agent("a")->first_seen, at(1));
}

// A write that fails (here a trigger another connection installed; in life a full disk) fails
// its batch only: the statements are reset, so the next batches, of both sizes, are stored.
TEST(SqliteStore, AFailedWriteDoesNotBreakTheWritesAfterIt) {
  TempDir dir;
  SqliteEventStore store{dir.file("events.db")};
  SQLite::Database other{dir.file("events.db").string(), SQLite::OPEN_READWRITE};
  other.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.sequence = 999 "
      "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
  std::vector<Event> big;
  for (std::uint64_t s = 1; s <= 64; ++s)
    big.push_back(simple("a", s, at(static_cast<std::int64_t>(s))));
  big.back().sequence = 999;
  EXPECT_THROW(store.insert(big), SQLite::Exception);
  EXPECT_THROW(store.insert(std::vector{simple("a", 999, at(1))}), SQLite::Exception);
  other.exec("DROP TRIGGER refuse");
  EXPECT_EQ(store.insert(big), 64u);
  EXPECT_EQ(store.insert(std::vector{simple("a", 1000, at(2))}), 1u);
  EXPECT_EQ(store.agent("a")->event_count, 65u);
}

TEST(SqliteStore, ReopeningKeepsEverythingAndDoesNotMigrateAgain) {
  TempDir dir;
  {
    SqliteEventStore store{dir.file("events.db")};
    store.insert(std::vector{simple("a", 1, at(10))});
    EXPECT_EQ(store.schema_version(), kSchemaVersion);
  }
  SqliteEventStore again{dir.file("events.db")};
  EXPECT_EQ(again.schema_version(), kSchemaVersion);
  EXPECT_EQ(again.insert(std::vector{simple("a", 1, at(10))}), 0u);
  EXPECT_EQ(again.query({}).size(), 1u);
  SqliteEventStore reader{dir.file("events.db"), {.read_only = true}};
  EXPECT_EQ(reader.query({}).size(), 1u);
}

TEST(SqliteStore, CreatesItsDirectory) {
  TempDir dir;
  SqliteEventStore store{dir.file("deeper") / "still" / "events.db"};
  EXPECT_TRUE(std::filesystem::exists(dir.file("deeper") / "still" / "events.db"));
}

TEST(SqliteStore, RefusesASchemaNewerThanItself) {
  TempDir dir;
  {
    SQLite::Database db{dir.file("events.db").string(),
                        SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
    db.exec("PRAGMA user_version = 99");
  }
  try {
    SqliteEventStore store{dir.file("events.db")};
    FAIL() << "opened a schema from the future";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string{error.what()}.find("newer than this chronowatch"), std::string::npos);
  }
}

TEST(SqliteStore, ReadOnlyOpenOfAMissingFileSaysWhatToDo) {
  TempDir dir;
  try {
    SqliteEventStore store{dir.file("none.db"), {.read_only = true}};
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string{error.what()}.find("--db"), std::string::npos);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("none.db")));
}

TEST(SqliteStore, FiltersBySinceUntilAgentTypeSeverityAndLimit) {
  TempDir dir;
  SqliteEventStore store{dir.file("events.db")};
  store.insert(std::vector{simple("a", 1, at(100), EventType::heartbeat),
                           simple("a", 2, at(200), EventType::time_drift, Severity::high),
                           simple("b", 1, at(300), EventType::port_scan, Severity::medium),
                           simple("b", 2, at(400), EventType::time_drift, Severity::critical)});
  auto sequences = [&](EventFilter filter) {
    std::vector<std::string> out;
    for (const auto& e : store.query(filter))
      out.push_back(e.agent_id + std::to_string(e.sequence));
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(sequences({.since = at(200)}), (V{"a2", "b1", "b2"}));
  EXPECT_EQ(sequences({.since = at(200), .until = at(400)}), (V{"a2", "b1"}));
  EXPECT_EQ(sequences({.agent_id = "b"}), (V{"b1", "b2"}));
  EXPECT_EQ(sequences({.type = EventType::time_drift}), (V{"a2", "b2"}));
  EXPECT_EQ(sequences({.min_severity = Severity::high}), (V{"a2", "b2"}));
  EXPECT_EQ(sequences({.limit = 2}), (V{"a1", "a2"}));
  EXPECT_EQ(sequences({.limit = 2, .latest = true}), (V{"b1", "b2"}));
  EXPECT_EQ(sequences({.agent_id = "c"}), V{});
}

TEST(SqliteStore, AgentsCarryIdentityCountsOffsetAndLiveness) {
  TempDir dir;
  SqliteEventStore store{dir.file("events.db")};
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

TEST(SqliteStore, LivenessOfAnAgentNeverHeardFromCreatesIt) {
  TempDir dir;
  SqliteEventStore store{dir.file("events.db")};
  store.set_agent_up("ghost", false, at(5));
  ASSERT_TRUE(store.agent("ghost").has_value());
  EXPECT_FALSE(store.agent("ghost")->up);
}

}  // namespace
}  // namespace cw::store
