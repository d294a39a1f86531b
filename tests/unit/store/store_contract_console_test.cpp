// The store contract, the console's part: insert_reporting, keyset pages, read_after, find and
// excluded_type, typed over every engine (store_engines.h). Positions are promised to grow in
// commit order, not to be dense, so only their order is checked here.
#include <gtest/gtest.h>

#include <algorithm>

#include "store/event_store.h"
#include "store_engines.h"
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

template <typename Engine>
class ConsoleContract : public ::testing::Test {
 protected:
  ConsoleContract() : store_(open_store(engine_.url())) {}
  EventStore& store() { return *store_; }
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
TYPED_TEST_SUITE(ConsoleContract, Engines, EngineNames);

TYPED_TEST(ConsoleContract, InsertReportingNamesTheNewEventsAndPositionsGrowAcrossCommits) {
  auto& store = this->store();
  auto first = store.insert_reporting(drifts(1, 100, 1000));
  ASSERT_EQ(first.stored(), 100u);
  for (std::size_t i = 0; i < 100; ++i) EXPECT_EQ(first.new_indices[i], i);
  EXPECT_TRUE(std::is_sorted(first.positions.begin(), first.positions.end()));
  // 95..100 are stored already: a resend carries the timestamps the agent spooled (PostgreSQL's
  // key includes the timestamp, docs/store.md)
  auto again = store.insert_reporting(drifts(95, 10, 1094));
  ASSERT_EQ(again.stored(), 4u);
  EXPECT_EQ(again.new_indices, (std::vector<std::size_t>{6, 7, 8, 9}));
  EXPECT_GT(again.positions.front(), first.positions.back());
  // Where a reader starting now begins: at or after the newest, nothing stored after it.
  EXPECT_GE(store.last_position(), again.positions.back());
  EXPECT_TRUE(store.read_after(store.last_position(), {}).empty());
  auto missed = store.read_after(first.positions.back(), {});
  ASSERT_EQ(missed.size(), 4u);
  EXPECT_EQ(missed[0].event.sequence, 101u);
  EXPECT_EQ(missed[0].position, again.positions[0]);
  EXPECT_EQ(store.insert_reporting(drifts(1, 3, 1000)).stored(), 0u);
}

TYPED_TEST(ConsoleContract, PagesInBothOrdersNeitherSkipNorRepeat) {
  this->store().insert(drifts(1, 50, 1000));
  this->store().insert(drifts(51, 50, 1000));  // same timestamps: agent and sequence decide
  for (bool descending : {false, true}) {
    PageRequest request;
    request.filter.limit = 7;
    request.descending = descending;
    std::vector<std::uint64_t> seen;
    for (;;) {
      auto page = this->store().page(request);
      for (auto& stored : page) seen.push_back(stored.event.sequence);
      if (page.size() < request.filter.limit) break;
      const auto& last = page.back().event;
      request.after = ReplayPosition{last.timestamp, last.agent_id, last.sequence};
    }
    ASSERT_EQ(seen.size(), 100u);
    auto sorted = seen;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
    EXPECT_EQ(seen.front(), descending ? 100u : 1u);
  }
}

TYPED_TEST(ConsoleContract, FindAndExcludedType) {
  const std::vector<events::Event> batch{drift_event(1, at(10)), heartbeat_event(2, at(11)),
                                         scan_event(3, at(12))};
  this->store().insert(batch);
  auto found = this->store().find("agent-01", 2);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->event, batch[1]);
  EXPECT_FALSE(this->store().find("agent-01", 4));
  EXPECT_FALSE(this->store().find("agent-02", 1));
  EventFilter filter;
  filter.excluded_type = events::EventType::heartbeat;
  auto rest = this->store().query(filter);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[1].sequence, 3u);
}

}  // namespace
}  // namespace cw::store
