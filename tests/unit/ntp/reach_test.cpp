// tests/unit/ntp/reach_test.cpp — the reach register (RFC 5905 §13) and what a server serves
// without a usable upstream (local stratum or leap 3).
#include "ntp/reach.h"

#include <gtest/gtest.h>

#include "ntp/server_state.h"

namespace cw::ntp {
namespace {

TEST(ReachRegister, EmptiesAfterEightUnansweredPolls) {
  ReachRegister r;
  EXPECT_FALSE(r.reachable());  // never answered
  r.polled();
  r.answered();
  EXPECT_EQ(r.bits(), 0b1);
  for (int i = 0; i < 7; ++i) {
    r.polled();
    EXPECT_TRUE(r.reachable()) << i;
  }
  EXPECT_EQ(r.bits(), 0b1000'0000);
  r.polled();  // the eighth poll without an answer
  EXPECT_FALSE(r.reachable());
  r.polled();
  r.answered();
  EXPECT_EQ(r.bits(), 0b1);
}

TEST(FallbackState, LocalStratumServesTheLocalClockElseLeap3) {
  const Timestamp now = from_unix_ns(1'763'800'000'000'000'000);
  const auto local = fallback_state(std::uint8_t{10}, Precision{-22}, now);
  EXPECT_EQ(local.leap, LeapIndicator::no_warning);
  EXPECT_EQ(local.stratum.value, 10);
  EXPECT_EQ(local.reference_id, RefId::from_ascii("LOCL"));
  EXPECT_EQ(local.reference_time, now);
  const auto none = fallback_state(std::nullopt, Precision{-22}, now);
  EXPECT_EQ(none.leap, LeapIndicator::unsynchronized);
  EXPECT_EQ(none.stratum.value, 16);
  EXPECT_EQ(none.precision.log2_seconds, -22);
}

}  // namespace
}  // namespace cw::ntp
