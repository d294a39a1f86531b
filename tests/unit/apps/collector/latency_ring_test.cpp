// tests/unit/apps/collector/latency_ring_test.cpp — the collector's latency ring: latest(n) gives
// the n most recently pushed values, oldest first, before and after the ring wraps around (the
// "recent" percentiles of the stats line are taken over them).
#include "apps/collector/latency_ring.h"

#include <gtest/gtest.h>

namespace cw::apps {
namespace {

TEST(LatencyRing, LatestIsTheMostRecentlyPushedBeforeAndAfterWrapping) {
  LatencyRing ring(5);
  EXPECT_TRUE(ring.latest(3).empty());
  ring.push(1), ring.push(2), ring.push(3);
  EXPECT_EQ(ring.latest(2), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(ring.latest(10), (std::vector<std::int64_t>{1, 2, 3}));
  for (std::int64_t v = 4; v <= 12; ++v) ring.push(v);  // wraps: holds 8..12
  EXPECT_EQ(ring.latest(3), (std::vector<std::int64_t>{10, 11, 12}));
  EXPECT_EQ(ring.latest(5), (std::vector<std::int64_t>{8, 9, 10, 11, 12}));
  EXPECT_EQ(ring.latest(9), (std::vector<std::int64_t>{8, 9, 10, 11, 12}));
  ring.push(13);  // the oldest slot is overwritten: 9..13
  EXPECT_EQ(ring.latest(2), (std::vector<std::int64_t>{12, 13}));
  auto recent = ring.latest(5);
  EXPECT_EQ(LatencyRing::quantile(recent, 0.5), 11);
}

}  // namespace
}  // namespace cw::apps
