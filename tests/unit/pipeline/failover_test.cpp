// Unit tests for pipeline/failover.h with literal times: the list, the home collector, and when
// an agent moves on (only while something waits for an answer, after the silence it is given).
#include "pipeline/failover.h"

#include <gtest/gtest.h>

#include "pipeline/collector_ledger.h"

namespace cw::pipeline {
namespace {

using namespace std::chrono_literals;
MonotonicTime at_ms(std::int64_t ms) { return MonotonicTime{std::chrono::milliseconds(ms)}; }

TEST(Failover, CollectorListsAreRepeatedOrCommaSeparated) {
  EXPECT_EQ(split_collectors({"tcp://a:1, tcp://b:2", "tcp://c:3", ""}),
            (std::vector<std::string>{"tcp://a:1", "tcp://b:2", "tcp://c:3"}));
  EXPECT_TRUE(split_collectors({",,"}).empty());
}

TEST(Failover, HomeCollectorIsStableAndSpreadsAgents) {
  EXPECT_EQ(home_collector("sim-0001", 2), home_collector("sim-0001", 2));
  EXPECT_EQ(home_collector("anything", 1), 0u);
  EXPECT_EQ(home_collector("anything", 0), 0u);
  std::size_t on_first = 0;
  for (int i = 0; i < 200; ++i) on_first += home_collector("sim-" + std::to_string(i), 2) == 0;
  EXPECT_GT(on_first, 70u);
  EXPECT_LT(on_first, 130u);
}

TEST(Failover, MovesOnlyAfterTheSilenceWhileWaitingForAnAnswer) {
  Failover failover{3, 1, 5s};
  EXPECT_FALSE(failover.due(at_ms(0), /*awaiting=*/false));
  EXPECT_FALSE(failover.due(at_ms(60'000), false));  // idle and silent: nothing is wrong
  EXPECT_FALSE(failover.due(at_ms(61'000), true));   // the wait starts now
  EXPECT_FALSE(failover.due(at_ms(65'999), true));
  failover.heard(at_ms(65'000));  // an answer: the silence starts again
  EXPECT_FALSE(failover.due(at_ms(69'999), true));
  EXPECT_TRUE(failover.due(at_ms(70'000), true));
  EXPECT_EQ(failover.advance(at_ms(70'000)), 2u);
  EXPECT_FALSE(failover.due(at_ms(74'999), true));
  EXPECT_TRUE(failover.due(at_ms(75'000), true));
  EXPECT_EQ(failover.advance(at_ms(75'000)), 0u);  // round robin
  EXPECT_EQ(failover.failovers(), 2u);
}

TEST(Failover, OneCollectorNeverFailsOver) {
  Failover failover{1, 0, 1s};
  EXPECT_FALSE(failover.due(at_ms(0), true));
  EXPECT_FALSE(failover.due(at_ms(100'000), true));
}

TEST(Failover, ASharedStoreCountsAnAgentResumingAheadAsTakenOverNotLost) {
  CollectorLedger alone, shared;
  EXPECT_EQ(alone.on_hello("a", 951), 951u);
  EXPECT_EQ(alone.stats().agent_lost, 950u);
  EXPECT_EQ(shared.on_hello("a", 951, /*shared_store=*/true), 951u);
  EXPECT_EQ(shared.stats().agent_lost, 0u);
  EXPECT_EQ(shared.stats().taken_over, 1u);
}

TEST(Failover, AdoptingWhatTheStoreHoldsCountsATakeoverOnlyBeyondOwnCommits) {
  CollectorLedger ledger;
  ledger.seed("a", 100);
  ledger.adopt("a", 100);  // nothing new: this collector stored it
  EXPECT_EQ(ledger.stats().taken_over, 0u);
  ledger.adopt("a", 250);  // another collector stored 100..249
  EXPECT_EQ(ledger.stats().taken_over, 1u);
  EXPECT_EQ(ledger.on_hello("a", 200, true), 250u);  // welcomed with what the store holds
}

}  // namespace
}  // namespace cw::pipeline
