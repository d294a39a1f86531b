// tests/unit/ntp/poll_schedule_test.cpp — burst, adaptive 64–1024 s interval and KoD back-off.
#include "ntp/poll_schedule.h"

#include <gtest/gtest.h>

namespace cw::ntp {
namespace {

using namespace std::chrono_literals;

TEST(PollSchedule, BurstThenSixtyFourSeconds) {
  PollSchedule s;
  EXPECT_TRUE(s.in_burst());
  EXPECT_EQ(s.after_sample(true), 2s);
  EXPECT_EQ(s.after_sample(true), 2s);
  EXPECT_EQ(s.after_sample(true), 2s);
  EXPECT_FALSE(s.in_burst());
  EXPECT_EQ(s.after_sample(true), 64s);
}

TEST(PollSchedule, LengthensToAtMost1024WhileStableAndShortensOnDisagreement) {
  PollSchedule s({.burst = 0});
  Duration last{};
  for (int i = 0; i < 100; ++i) last = s.after_sample(true);
  EXPECT_EQ(last, 1024s);
  EXPECT_EQ(s.after_sample(false), 512s);
  EXPECT_EQ(s.after_sample(false), 256s);
  for (int i = 0; i < 20; ++i) last = s.after_sample(false);
  EXPECT_EQ(last, 64s);
}

TEST(PollSchedule, KissOfDeathRateBacksOff) {
  PollSchedule s;
  EXPECT_EQ(s.after_kiss_rate(0), 128s);   // doubled, burst abandoned
  EXPECT_FALSE(s.in_burst());
  EXPECT_EQ(s.after_kiss_rate(9), 512s);   // never faster than the server's poll
  EXPECT_EQ(s.after_kiss_rate(17), 1024s); // clamped to the maximum
}

TEST(PollSchedule, UnreachableServerIsNotHammered) {
  PollSchedule s;
  int quick = 0;
  for (int i = 0; i < 20; ++i)
    if (s.after_no_answer() == 2s) ++quick;
  EXPECT_LE(quick, 8);
  EXPECT_EQ(s.after_no_answer(), 64s);
}

}  // namespace
}  // namespace cw::ntp
