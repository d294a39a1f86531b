// tests/unit/apps/collector/alert_feed_test.cpp — the writer → alerting hand-over: batches in
// order, a gap (store positions and agents) instead of waiting when full, closed once drained.
#include "apps/collector/alerting/alert_feed.h"

#include <gtest/gtest.h>

#include <thread>

#include "alert_test_events.h"

namespace cw::apps {
namespace {

using namespace std::chrono_literals;

using testing::batch;

TEST(AlertFeed, HandsBatchesOverInCommitOrder) {
  AlertFeed feed(100);
  EXPECT_FALSE(feed.needs_position(10));
  feed.push(batch("a", 1, 10), {}, 10, std::nullopt);
  feed.push(batch("b", 1, 5), {}, 5, std::nullopt);
  auto out = feed.pop(0ms);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].events.front().agent_id, "a");
  EXPECT_EQ(out[1].events.size(), 5u);
  EXPECT_FALSE(out[0].gap);
  EXPECT_EQ(feed.stats().batches, 2u);
  EXPECT_EQ(feed.stats().queued_events, 0u);
}

TEST(AlertFeed, WhenFullSkipsBatchesIntoAGapThatComesBackInOrder) {
  AlertFeed feed(10);
  feed.push(batch("a", 1, 8), {}, 8, std::nullopt);
  ASSERT_TRUE(feed.needs_position(5));  // 13 > 10: it opens a gap after position 8
  feed.push(batch("a", 9, 5), {}, 5, 8);
  EXPECT_TRUE(feed.stats().behind);
  EXPECT_FALSE(feed.needs_position(3));  // 8 queued > half: still behind, no position needed
  feed.push(batch("b", 1, 3), {}, 2, std::nullopt);  // one of three was a resend
  auto first = feed.pop(0ms);  // the alerting thread takes the batch before the gap
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].events.size(), 8u);
  feed.done();
  ASSERT_TRUE(feed.needs_position(4));  // room again: the gap closes at the position before
  feed.push(batch("a", 14, 4), {}, 4, 16);
  auto next = feed.pop(0ms);
  ASSERT_EQ(next.size(), 2u);
  ASSERT_TRUE(next[0].gap);
  EXPECT_EQ(next[0].gap->after, 8);
  EXPECT_EQ(next[0].gap->through, 16);
  EXPECT_EQ(next[0].gap->agents, (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(next[0].gap->events, 7u);
  EXPECT_EQ(next[1].events.front().sequence, 14u);
  const auto stats = feed.stats();
  EXPECT_EQ(stats.gaps, 1u);
  EXPECT_EQ(stats.gap_events, 7u);
  EXPECT_FALSE(stats.behind);
}

TEST(AlertFeed, WithoutAPositionTheBatchIsKeptBeyondTheCapacity) {
  AlertFeed feed(4);
  feed.push(batch("a", 1, 4), {}, 4, std::nullopt);
  feed.push(batch("a", 5, 4), {}, 4, std::nullopt);  // the store could not say where it was
  EXPECT_EQ(feed.stats().queued_events, 8u);
  EXPECT_EQ(feed.stats().gaps, 0u);
}

TEST(AlertFeed, OneBatchLargerThanTheCapacityGoesIntoAnEmptyFeed) {
  AlertFeed feed(4);
  EXPECT_FALSE(feed.needs_position(50));
  feed.push(batch("a", 1, 50), {}, 50, std::nullopt);
  EXPECT_EQ(feed.pop(0ms).size(), 1u);
}

TEST(AlertFeed, AGapStillOpenAtCloseIsReadToTheEnd) {
  AlertFeed feed(2);
  feed.push(batch("a", 1, 2), {}, 2, std::nullopt);
  feed.push(batch("a", 3, 2), {}, 2, 2);
  feed.close();
  EXPECT_FALSE(feed.closed_and_empty());
  auto out = feed.pop(0ms);
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(out[1].gap);
  EXPECT_EQ(out[1].gap->after, 2);
  EXPECT_EQ(out[1].gap->through, std::numeric_limits<std::int64_t>::max());
  feed.done();
  EXPECT_TRUE(feed.closed_and_empty());
}

TEST(AlertFeed, AnIdleWriterClosesTheGapItLeftOpen) {
  AlertFeed feed(2);
  feed.push(batch("a", 1, 2), {}, 2, std::nullopt);
  feed.push(batch("a", 3, 2), {}, 2, 2);  // nothing more comes: no commit would close it
  ASSERT_TRUE(feed.gap_open());
  feed.close_gap(4);
  EXPECT_FALSE(feed.gap_open());
  auto out = feed.pop(0ms);
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(out[1].gap);
  EXPECT_EQ(out[1].gap->through, 4);
  feed.close_gap(9);  // no gap open: nothing
  EXPECT_TRUE(feed.pop(0ms).empty());
}

TEST(AlertFeed, WaitIdleReturnsOnceTheAlertingThreadIsDone) {
  AlertFeed feed(100);
  feed.push(batch("a", 1, 3), {}, 3, std::nullopt);
  EXPECT_FALSE(feed.wait_idle(0ms));
  std::thread alerting([&] {
    auto out = feed.pop(1s);
    EXPECT_EQ(out.size(), 1u);
    feed.done();
  });
  EXPECT_TRUE(feed.wait_idle(10s));
  alerting.join();
}

TEST(AlertFeed, AWriterAndAnAlertingThreadLoseNothing) {
  AlertFeed feed(64);
  std::uint64_t handed = 0, skipped = 0;
  std::thread alerting([&] {
    while (!feed.closed_and_empty()) {
      for (auto& entry : feed.pop(10ms)) {
        if (entry.gap)
          skipped += entry.gap->events;
        else
          handed += entry.events.size();
      }
      feed.done();
    }
  });
  std::int64_t position = 0;
  for (std::uint64_t i = 0; i < 2000; ++i) {
    std::optional<std::int64_t> before;
    if (feed.needs_position(7)) before = position;
    position += 7;
    feed.push(batch("a", 1 + 7 * i, 7), {}, 7, before);
  }
  feed.close();
  alerting.join();
  EXPECT_EQ(handed + skipped, 2000u * 7);
  EXPECT_EQ(feed.stats().events, handed);
}

}  // namespace
}  // namespace cw::apps
