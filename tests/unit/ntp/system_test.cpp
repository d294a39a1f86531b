// tests/unit/ntp/system_test.cpp — selection and combining over source views (ntp/system.h):
// verdicts and distances per view, the system peer as an index of the views given, and views
// that are not candidates.
#include "ntp/system.h"

#include <gtest/gtest.h>

namespace cw::ntp {
namespace {

using namespace std::chrono_literals;

const Timestamp kNow = from_unix_ns(1'700'000'000'000'000'000);

std::optional<SourceView> view(Duration offset, int stratum = 2) {
  SourceView v;
  v.filter.best.offset = offset;
  v.filter.best.delay = 1ms;
  v.filter.best.time = kNow;
  v.filter.jitter = 100us;
  v.filter.samples = 4;
  v.root = RootInfo{2ms, 1ms};
  v.stratum = stratum;
  return v;
}

TEST(System, OutvotesAFalsetickerAndNamesThePeerByItsViewIndex) {
  const std::vector<std::optional<SourceView>> views{std::nullopt, view(5s), view(1ms),
                                                     view(2ms, 1)};
  const auto r = System{}.select(views, kNow);
  ASSERT_TRUE(r.offset());
  EXPECT_LT(*r.offset(), 3ms);
  EXPECT_FALSE(r.verdicts[0]);
  EXPECT_FALSE(r.distances[0]);
  EXPECT_EQ(r.verdicts[1], Verdict::falseticker);
  EXPECT_EQ(r.verdicts[2], Verdict::survivor);
  EXPECT_EQ(r.system_peer, 3u);  // stratum 1 comes first in clustering
  EXPECT_EQ(r.candidates(), 3u);
  // λ = max(MINDISP, Δ + δ)/2 + E + ε + ψ = 5 ms + 1 ms + 0 + 100 µs
  EXPECT_EQ(*r.distances[2], 6100us);
}

TEST(System, NoViewsNoOffset) {
  const std::vector<std::optional<SourceView>> views{std::nullopt};
  const auto r = System{}.select(views, kNow);
  EXPECT_FALSE(r.offset());
  EXPECT_FALSE(r.system_peer);
}

TEST(System, TwoThatDisagreeHaveNoMajority) {
  const std::vector<std::optional<SourceView>> views{view(0ms), view(5s)};
  EXPECT_FALSE(System{}.select(views, kNow).offset());
}

}  // namespace
}  // namespace cw::ntp
