// tests/unit/ntp/selection_test.cpp — RFC 5905 §11.2 selection, clustering and combining.
#include "ntp/selection.h"

#include <gtest/gtest.h>

namespace cw::ntp {
namespace {

using namespace std::chrono_literals;

Candidate c(Duration offset, Duration distance, Duration jitter = 100us, int stratum = 2) {
  return Candidate{
      .offset = offset, .root_distance = distance, .jitter = jitter, .stratum = stratum};
}

TEST(Selection, OneServerIsItsOwnMajority) {
  const std::vector cs{c(3ms, 10ms)};
  const auto r = select_and_combine(cs);
  ASSERT_TRUE(r.offset);
  EXPECT_EQ(*r.offset, 3ms);
  EXPECT_EQ(r.verdicts[0], Verdict::survivor);
  EXPECT_EQ(r.system_peer, 0u);
}

TEST(Selection, TheShiftedOneOfThreeIsAFalseticker) {
  const std::vector cs{c(1ms, 10ms), c(-1ms, 10ms), c(5s, 10ms)};
  const auto r = select_and_combine(cs);
  EXPECT_EQ(r.verdicts[0], Verdict::survivor);
  EXPECT_EQ(r.verdicts[1], Verdict::survivor);
  EXPECT_EQ(r.verdicts[2], Verdict::falseticker);
  ASSERT_TRUE(r.offset);
  EXPECT_EQ(*r.offset, 0ms);  // equal distances: the plain mean of 1 ms and −1 ms
  EXPECT_EQ(r.low, -9ms);     // [max of lows, min of highs] of the two that agree
  EXPECT_EQ(r.high, 9ms);
}

TEST(Selection, TwoServersThatDisagreeHaveNoMajority) {
  const std::vector cs{c(0ms, 10ms), c(5s, 10ms)};
  const auto r = select_and_combine(cs);
  EXPECT_FALSE(r.offset);
  EXPECT_EQ(r.verdicts[0], Verdict::falseticker);
  EXPECT_EQ(r.verdicts[1], Verdict::falseticker);
}

TEST(Selection, MidpointOutsideTheIntersectionIsAFalseticker) {
  // B's interval overlaps A's, but A's midpoint is outside B's: with n = 2 nobody may be excused.
  const std::vector cs{c(0ms, 10ms), c(15ms, 10ms)};
  EXPECT_FALSE(select_and_combine(cs).offset);
}

TEST(Selection, CombinedOffsetIsWeightedByInverseRootDistance) {
  const std::vector cs{c(0ms, 10ms), c(6ms, 20ms)};
  const auto r = select_and_combine(cs);
  ASSERT_TRUE(r.offset);
  // (0/10 + 6/20) / (1/10 + 1/20) = 0.3 / 0.15 = 2 ms
  EXPECT_EQ(*r.offset, 2ms);
}

TEST(Selection, ServersAtOrBeyondMaxDistanceAreNotCandidates) {
  const std::vector cs{c(0ms, 10ms), c(0ms, 1s), c(1ms, 12ms)};
  const auto r = select_and_combine(cs);
  EXPECT_EQ(r.verdicts[1], Verdict::too_far);
  EXPECT_EQ(r.verdicts[0], Verdict::survivor);
  EXPECT_EQ(r.verdicts[2], Verdict::survivor);
}

TEST(Selection, NothingToSelect) {
  const auto r = select_and_combine(std::span<const Candidate>{});
  EXPECT_FALSE(r.offset);
  EXPECT_TRUE(r.verdicts.empty());
}

TEST(Selection, ClusteringPrunesTheNoisiestBeyondThree) {
  // Five truechimers with wide intervals; one sits far from the others' cluster.
  const std::vector cs{c(0ms, 200ms, 1ms), c(1ms, 200ms, 1ms), c(-1ms, 200ms, 1ms),
                       c(2ms, 200ms, 1ms), c(150ms, 200ms, 1ms)};
  const auto r = select_and_combine(cs);
  EXPECT_EQ(r.verdicts[4], Verdict::outlier);
  int survivors = 0;
  for (auto v : r.verdicts) survivors += v == Verdict::survivor;
  EXPECT_GE(survivors, 3);
  ASSERT_TRUE(r.offset);
  EXPECT_LT(*r.offset, 3ms);
}

TEST(Selection, SystemPeerPrefersLowerStratum) {
  const std::vector cs{c(1ms, 5ms, 100us, 3), c(2ms, 20ms, 100us, 1)};
  EXPECT_EQ(select_and_combine(cs).system_peer, 1u);
}

}  // namespace
}  // namespace cw::ntp
