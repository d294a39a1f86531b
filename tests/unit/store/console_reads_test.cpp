// The console's reads and write of store/event_store.h on SQLite: insert_reporting says which
// events were new and where they were stored, keyset pages in both orders neither skip nor
// repeat, read_after resumes in store order, find and excluded_type.
#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "support/temp_dir.h"
#include "unit/events/sample_events.h"

namespace cw::store {
namespace {

using namespace events::testing;

std::vector<events::Event> drifts(std::uint64_t first, std::uint64_t count, std::int64_t t0) {
  std::vector<events::Event> out;
  for (std::uint64_t i = 0; i < count; ++i)
    out.push_back(drift_event(first + i, at(t0 + static_cast<std::int64_t>(i))));
  return out;
}

TEST(ConsoleReads, InsertReportingNamesTheNewEventsAndTheirPositions) {
  cw::testing::TempDir dir;
  SqliteEventStore store{dir.file("events.db")};
  auto first = store.insert_reporting(drifts(1, 100, 1000));  // 64-row statement + 36 single
  ASSERT_EQ(first.stored(), 100u);
  for (std::size_t i = 0; i < 100; ++i) {
    EXPECT_EQ(first.new_indices[i], i);
    EXPECT_EQ(first.positions[i], static_cast<std::int64_t>(i + 1));
  }
  auto again = store.insert_reporting(drifts(95, 10, 2000));  // 95..100 stored already
  ASSERT_EQ(again.stored(), 4u);
  EXPECT_EQ(again.new_indices, (std::vector<std::size_t>{6, 7, 8, 9}));
  // Positions only grow (AUTOINCREMENT: the rows ignored as resends may leave gaps).
  ASSERT_EQ(again.positions.size(), 4u);
  EXPECT_GT(again.positions[0], 100);
  for (std::size_t i = 1; i < 4; ++i) EXPECT_GT(again.positions[i], again.positions[i - 1]);
  // Where a reader starting now begins: at or after the newest, nothing stored after it.
  EXPECT_GE(store.last_position(), again.positions.back());
  EXPECT_TRUE(store.read_after(store.last_position(), {}).empty());
  auto missed = store.read_after(100, {});
  ASSERT_EQ(missed.size(), 4u);
  EXPECT_EQ(missed[0].event.sequence, 101u);
  EXPECT_EQ(missed[0].position, again.positions[0]);
}

TEST(ConsoleReads, PagesInBothOrdersNeitherSkipNorRepeat) {
  cw::testing::TempDir dir;
  SqliteEventStore store{dir.file("events.db")};
  store.insert(drifts(1, 50, 1000));
  auto more = drifts(51, 50, 1000);  // same timestamps: the key's agent and sequence decide
  store.insert(more);
  for (bool descending : {false, true}) {
    PageRequest request;
    request.filter.limit = 7;
    request.descending = descending;
    std::vector<std::uint64_t> seen;
    for (;;) {
      auto page = store.page(request);
      for (auto& stored : page) seen.push_back(stored.event.sequence);
      if (page.size() < request.filter.limit) break;
      const auto& last = page.back().event;
      request.after = ReplayPosition{last.timestamp, last.agent_id, last.sequence};
    }
    ASSERT_EQ(seen.size(), 100u);
    std::vector<std::uint64_t> sorted = seen;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
    EXPECT_EQ(seen.front(), descending ? 100u : 1u);  // 50 and 100 share the newest timestamp
  }
}

TEST(ConsoleReads, FindAndExcludedType) {
  cw::testing::TempDir dir;
  SqliteEventStore store{dir.file("events.db")};
  std::vector<events::Event> batch{drift_event(1, at(10)), heartbeat_event(2, at(11)),
                                   scan_event(3, at(12))};
  store.insert(batch);
  auto found = store.find("agent-01", 2);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->event, batch[1]);
  EXPECT_FALSE(store.find("agent-01", 4));
  EXPECT_FALSE(store.find("agent-02", 1));
  EventFilter filter;
  filter.excluded_type = events::EventType::heartbeat;
  auto rest = store.query(filter);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[1].sequence, 3u);
}

}  // namespace
}  // namespace cw::store
