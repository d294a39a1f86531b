// tests/unit/apps/collector/collector_liveness_test.cpp — the collector's liveness hooks take the
// time an agent was heard from the injected clock: on the fake clock an agent silent past two
// heartbeat intervals plus the grace is declared down, and heard again it is up.
#include <gtest/gtest.h>

#include "apps/collector/collector_runtime.h"
#include "apps/collector/collector_writer.h"
#include "store/event_store.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace cw::apps {
namespace {

using namespace std::chrono_literals;

events::Event heartbeat(const std::string& agent, std::uint64_t sequence, Timestamp at) {
  events::Event e;
  e.type = events::EventType::heartbeat;
  e.agent_id = agent;
  e.sequence = sequence;
  e.timestamp = at;
  return e;
}

TEST(CollectorLiveness, AnAgentSilentPastItsGraceIsDownOnTheInjectedClock) {
  testing::TempDir dir;
  auto store = store::open_store("sqlite:" + (dir / "events.db").string());
  CollectorCommandOptions options;
  options.heartbeat_interval = 10;
  options.liveness_grace = 5;
  testing::FakeClock clock;  // 2023, far from the machine's clock
  auto hooks = make_liveness_hooks(options, *store, clock);
  hooks.observe(heartbeat("node-1", 1, clock.now()));
  clock.advance(24s);
  EXPECT_TRUE(hooks.tick(clock.now()).empty());  // 2 × 10 s + 5 s not yet over
  clock.advance(2s);
  const auto down = hooks.tick(clock.now());
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].type, events::EventType::agent_down);
  EXPECT_EQ(down[0].agent_id, "node-1");
  hooks.observe(heartbeat("node-1", 2, clock.now()));
  const auto up = hooks.tick(clock.now());
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].type, events::EventType::agent_up);
}

}  // namespace
}  // namespace cw::apps
