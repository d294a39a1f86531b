// Retention tiers (store/retention.h, store/warm_tier.h, store/archive_file.h): the pure policy,
// the warm block and archive formats, and the policy run on a simulated clock (tests/support/
// fake_clock.h) on both engines, checking after every step that each event is readable in
// exactly one tier (raw rows, warm blocks, archive files), heartbeats past raw retention in
// none, and that the store's reads serve raw and warm together.
#include "store/retention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "store/archive_file.h"
#include "store/event_store.h"
#include "store/warm_tier.h"
#include "store_engines.h"
#include "support/fake_clock.h"
#include "unit/events/sample_events.h"

namespace cw::store {
namespace {

using namespace events;
using namespace events::testing;
using namespace std::chrono_literals;

const Timestamp kNoon = at(1'764'676'800);  // 2025-12-02T12:00:00Z

TEST(RetentionPolicy, PlansWholeDaysFromNow) {
  const RetentionPolicy policy{.raw = 14 * kDay, .warm = 365 * kDay};
  const auto plan = plan_retention(policy, kNoon + 5h);
  EXPECT_EQ(plan.raw_before, floor_day(kNoon) - 14 * kDay);
  EXPECT_EQ(plan.warm_before, floor_day(kNoon) - 365 * kDay);
  EXPECT_EQ(floor_hour(kNoon + 59min), kNoon);
  EXPECT_EQ(floor_day(from_unix_ns(-1)), from_unix_ns(0) - kDay);
}

TEST(RetentionPolicy, IsDueEveryIntervalAndAfterAClockStepBack) {
  const RetentionPolicy policy{.every = 1h};
  EXPECT_TRUE(retention_due(policy, std::nullopt, kNoon));
  EXPECT_FALSE(retention_due(policy, kNoon, kNoon + 59min));
  EXPECT_TRUE(retention_due(policy, kNoon, kNoon + 1h));
  EXPECT_TRUE(retention_due(policy, kNoon, kNoon - 1s));
}

TEST(RetentionPolicy, RefusesWarmNotLongerThanRaw) {
  EXPECT_EQ(check_policy({}), "");
  EXPECT_NE(check_policy({.raw = 10 * kDay, .warm = 10 * kDay}), "");
  EXPECT_NE(check_policy({.raw = 1h}), "");
}

std::vector<StoredEvent> stored(const std::vector<Event>& events, std::int64_t first = 1) {
  std::vector<StoredEvent> out;
  for (const auto& e : events) out.push_back({first++, e});
  return out;
}

TEST(WarmBlock, PacksAndUnpacksEventsWithDataAndPositions) {
  auto events = mixed_events();
  std::erase_if(events, [](const Event& e) { return e.agent_id != "agent-01"; });
  std::sort(events.begin(), events.end(),
            [](const Event& a, const Event& b) { return a.timestamp < b.timestamp; });
  const auto in = stored(events, 100);
  const auto body = pack_events(in);
  const auto out = unpack_events(body, "agent-01");
  ASSERT_EQ(out.size(), in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].event, in[i].event);
    EXPECT_EQ(out[i].position, in[i].position);
  }
  auto damaged = body;
  damaged[damaged.size() / 2] ^= std::byte{0x5a};
  EXPECT_THROW(unpack_events(damaged, "agent-01"), std::runtime_error);
  EXPECT_THROW(unpack_events(std::span{body}.first(3), "agent-01"), std::runtime_error);
}

TEST(WarmBlock, GroupsByAgentAndHourAndKeepsOneOfEachSequence) {
  std::vector<Event> events{drift_event(1, kNoon), drift_event(2, kNoon + 30min),
                            drift_event(3, kNoon + 61min)};
  events.push_back(drift_event(9, kNoon));
  events.back().agent_id = "agent-02";
  const auto blocks = make_blocks(stored(events));
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].agent_id, "agent-01");
  EXPECT_EQ(blocks[0].count, 2u);
  EXPECT_EQ(blocks[0].first_sequence, 1u);
  EXPECT_EQ(blocks[0].last_sequence, 2u);
  EXPECT_EQ(blocks[1].hour_ns, unix_ns(kNoon + 1h));
  // A late event and a resend of one already warm merge into the existing block.
  const auto merged =
      make_blocks(stored({drift_event(0, kNoon + 5min), drift_event(2, kNoon)}), {blocks[0]});
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].count, 3u);
  const auto back = unpack_events(merged[0].body, "agent-01");
  EXPECT_EQ(back[2].event.timestamp, kNoon + 30min);  // sequence 2 kept as it was warm
}

TEST(ArchiveFile, RoundTripsAndRefusesDamage) {
  const auto blocks = make_blocks(stored({drift_event(1, kNoon), heartbeat_event(2, kNoon + 2h)}));
  const auto bytes = encode_archive(blocks);
  const auto events = decode_archive(bytes);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].event, heartbeat_event(2, kNoon + 2h));
  EXPECT_THROW(decode_archive(std::span{bytes}.first(bytes.size() - 1)), std::runtime_error);
  auto wrong = bytes;
  wrong[0] = std::byte{'X'};
  EXPECT_THROW(decode_archive(wrong), std::runtime_error);
  cw::testing::TempDir dir;
  const auto path = write_archive(dir.path(), floor_day(kNoon), blocks);
  EXPECT_EQ(write_archive(dir.path(), floor_day(kNoon), blocks), path);  // same blocks, same file
  EXPECT_EQ(read_archive(path).size(), 2u);
  EXPECT_NE(path.filename().string().find("events-20251202-"), std::string::npos);
}

template <typename Engine>
class RetentionTiers : public ::testing::Test {
 protected:
  Engine engine_;
};

using Engines = ::testing::Types<testing::SqliteEngine, testing::PostgresEngine>;
struct EngineNames {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};
TYPED_TEST_SUITE(RetentionTiers, Engines, EngineNames);

using Key = std::pair<std::string, std::uint64_t>;

// Every event by key, with the tiers it is found in.
std::map<Key, std::vector<std::string>> where_is(EventStore& store,
                                                 const std::filesystem::path& archive) {
  std::map<Key, std::vector<std::string>> out;
  for (const auto& e : store.read_tier(Tier::raw, {}))
    out[{e.event.agent_id, e.event.sequence}].push_back("raw");
  for (const auto& e : store.read_tier(Tier::warm, {}))
    out[{e.event.agent_id, e.event.sequence}].push_back("warm");
  if (std::filesystem::exists(archive))
    for (const auto& file : std::filesystem::directory_iterator{archive})
      for (const auto& e : read_archive(file.path()))
        out[{e.event.agent_id, e.event.sequence}].push_back("archive");
  return out;
}

Event sample(const std::string& agent, std::uint64_t sequence, Timestamp when, int kind) {
  Event e = kind == 0   ? heartbeat_event(sequence, when)
            : kind == 1 ? drift_event(sequence, when)
                        : scan_event(sequence, when);
  e.agent_id = agent;
  return e;
}

// Six-hour steps over twelve simulated days with raw 2 days and warm 5: every event is first raw,
// then warm, then archived; a late event (spooled three days) lands raw and is rolled into the
// block it belongs to on the next pass.
TYPED_TEST(RetentionTiers, EveryEventIsInExactlyOneTierAtEveryStep) {
  cw::testing::TempDir archive_dir;
  const auto archive = archive_dir.path() / "archive";
  cw::testing::FakeClock clock{
      floor_hour(std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()))};
  const RetentionPolicy policy{.raw = 2 * kDay, .warm = 5 * kDay, .every = 6h};
  auto store = open_store(this->engine_.url());
  std::map<Key, Event> sent;
  std::map<std::string, std::uint64_t> next;
  std::optional<Timestamp> last_pass, raw_cutoff;
  std::uint64_t rolled = 0, archived = 0;
  for (int step = 0; step < 48; ++step) {
    std::vector<Event> batch;
    for (const std::string agent : {"agent-a", "agent-b", "agent-c"})
      for (int k = 0; k < 4; ++k) {
        const auto when = k == 3 && step % 5 == 4 ? clock.now() - 3 * kDay  // late, spooled
                                                  : clock.now() + k * 7min;
        batch.push_back(sample(agent, ++next[agent], when, k % 3));
      }
    for (const auto& e : batch) sent[{e.agent_id, e.sequence}] = e;
    for (const auto& e : batch) ASSERT_EQ(store->insert(std::span{&e, 1}), 1u);
    if (retention_due(policy, last_pass, clock.now())) {
      const auto plan = plan_retention(policy, clock.now());
      const auto outcome = store->apply_retention(plan, archive);
      rolled += outcome.rolled, archived += outcome.archived_events;
      last_pass = clock.now(), raw_cutoff = plan.raw_before;
    }
    const auto found = where_is(*store, archive);
    for (const auto& [key, event] : sent) {
      const auto it = found.find(key);
      const bool dropped =
          event.type == EventType::heartbeat && raw_cutoff && event.timestamp < *raw_cutoff;
      if (dropped) {
        EXPECT_EQ(it, found.end()) << "step " << step << ": heartbeat " << key.second;
        continue;
      }
      ASSERT_NE(it, found.end()) << "step " << step << ": lost " << key.first << " " << key.second;
      EXPECT_EQ(it->second.size(), 1u) << "step " << step << ": " << key.first << " " << key.second
                                       << " in " << it->second.size() << " tiers";
    }
    EXPECT_LE(found.size(), sent.size());
    clock.advance(6h);
  }
  EXPECT_GT(rolled, 0u);
  EXPECT_GT(archived, 0u);

  // The store's reads see raw and warm as one, in replay order.
  std::vector<Event> in_store;
  for (const auto& tier : {Tier::raw, Tier::warm})
    for (auto& e : store->read_tier(tier, {})) in_store.push_back(std::move(e.event));
  std::sort(in_store.begin(), in_store.end(), [](const Event& a, const Event& b) {
    return std::tie(a.timestamp, a.agent_id, a.sequence) <
           std::tie(b.timestamp, b.agent_id, b.sequence);
  });
  ASSERT_GT(store->read_tier(Tier::warm, {}).size(), 10u);
  EXPECT_EQ(store->query({}), in_store);
  for (const auto& e : in_store) EXPECT_EQ(e, sent.at({e.agent_id, e.sequence}));
  EXPECT_EQ(store->read_replay(in_store.front().timestamp, std::nullopt,
                               in_store.back().timestamp + 1ns, in_store.size()),
            in_store);
  const auto newest = store->query({.limit = 5, .latest = true});
  EXPECT_EQ(newest, std::vector<Event>(in_store.end() - 5, in_store.end()));
  const auto warm = store->read_tier(Tier::warm, {});
  const auto& old = warm.front().event;
  EXPECT_EQ(store->query({.agent_id = old.agent_id, .limit = 1}).front(), old);
  ASSERT_TRUE(store->find(old.agent_id, old.sequence));
  EXPECT_EQ(store->find(old.agent_id, old.sequence)->event, old);
  PageRequest request;
  request.filter.limit = 3;
  request.after = ReplayPosition{old.timestamp, old.agent_id, old.sequence};
  const auto page = store->page(request);
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].event,
            in_store[1 + (std::find(in_store.begin(), in_store.end(), old) - in_store.begin())]);
  // The agents' state still counts every heartbeat, dropped or not.
  EXPECT_EQ(store->agent("agent-a")->heartbeat_count, 48u * 2);
  EXPECT_GT(store->last_position(), 0);
}

}  // namespace
}  // namespace cw::store
