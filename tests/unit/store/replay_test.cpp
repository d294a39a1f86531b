// Unit tests for store/replay.h: pacing (the replay order is in the contract suite) with literal
// times (no sleeping: the waits are recorded).
#include "store/replay.h"

#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "support/temp_dir.h"
#include "unit/events/sample_events.h"

namespace cw::store {
namespace {

using namespace events;
using namespace events::testing;
using namespace std::chrono_literals;

Event simple(const std::string& agent, std::uint64_t sequence, Timestamp when) {
  return Event{when, agent, sequence, EventType::heartbeat, Severity::info, {}, {}};
}

TEST(Replay, DueTimesKeepTheOriginalSpacingScaledBySpeed) {
  EXPECT_EQ(replay_due(at(100), at(100), 1.0), 0ns);
  EXPECT_EQ(replay_due(at(100), at(103), 1.0), 3s);
  EXPECT_EQ(replay_due(at(100), at(103), 2.0), 1500ms);
  EXPECT_EQ(replay_due(at(100), at(103), 0.5), 6s);
  EXPECT_EQ(replay_due(at(100), at(103), 0), 0ns);  // as fast as possible
}

TEST(Replay, ReplayWaitsThenEmitsEachEventInOrder) {
  cw::testing::TempDir dir;
  SqliteEventStore store{dir.file("events.db")};
  store.insert(
      std::vector{simple("a", 1, at(100)), simple("a", 2, at(101)), simple("b", 1, at(104))});
  std::vector<std::string> log;
  ReplayHooks hooks{.wait_until =
                        [&](Duration due) {
                          log.push_back("wait " + std::to_string(due.count() / 1'000'000) + "ms");
                        },
                    .emit =
                        [&](const Event& e) {
                          log.push_back("emit " + e.agent_id + std::to_string(e.sequence));
                          return true;
                        }};
  EXPECT_EQ(replay(store, at(0), at(1000), 4.0, hooks), 3u);
  EXPECT_EQ(log, (std::vector<std::string>{"wait 0ms", "emit a1", "wait 250ms", "emit a2",
                                           "wait 1000ms", "emit b1"}));
}

TEST(Replay, EmitCanStopTheReplay) {
  cw::testing::TempDir dir;
  SqliteEventStore store{dir.file("events.db")};
  store.insert(std::vector{simple("a", 1, at(100)), simple("a", 2, at(101))});
  EXPECT_EQ(replay(store, at(0), at(1000), 0,
                   {.wait_until = {}, .emit = [](const Event&) { return false; }}),
            0u);
}

}  // namespace
}  // namespace cw::store
