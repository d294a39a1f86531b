// tests/unit/ntp/poll_schedule_test.cpp — burst, adaptive 64–1024 s interval, KoD back-off, and the
// --min-poll/--max-poll range a user may give (ntp::poll_policy).
#include "ntp/poll_schedule.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>

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
  EXPECT_EQ(s.after_kiss_rate(0), 128s);  // doubled, burst abandoned
  EXPECT_FALSE(s.in_burst());
  EXPECT_EQ(s.after_kiss_rate(9), 512s);    // never faster than the server's poll
  EXPECT_EQ(s.after_kiss_rate(17), 1024s);  // clamped to the maximum
}

TEST(PollSchedule, UnreachableServerIsNotHammered) {
  PollSchedule s;
  int quick = 0;
  for (int i = 0; i < 20; ++i)
    if (s.after_no_answer() == 2s) ++quick;
  EXPECT_LE(quick, 8);
  EXPECT_EQ(s.after_no_answer(), 64s);
}

TEST(PollPolicy, DefaultsAreChronysSixToTen) {
  const auto policy = poll_policy(6, 10);
  ASSERT_TRUE(policy);
  EXPECT_EQ(policy->min_log2, 6);
  EXPECT_EQ(policy->max_log2, 10);
  EXPECT_EQ(policy->burst, PollPolicy{}.burst);
}

TEST(PollPolicy, AcceptsTheWholeRangeAndEqualBounds) {
  EXPECT_TRUE(poll_policy(0, 0));
  EXPECT_TRUE(poll_policy(0, 17));
  EXPECT_TRUE(poll_policy(17, 17));
}

TEST(PollPolicy, RefusesMaxBelowMinWithOneSentenceNamingBoth) {
  const auto policy = poll_policy(6, 3);
  ASSERT_FALSE(policy);
  EXPECT_NE(policy.error().find("--max-poll 3 is below --min-poll 6"), std::string::npos)
      << policy.error();
}

TEST(PollPolicy, RefusesExponentsOutsideZeroToSeventeen) {
  for (const auto& [min, max, flag] :
       {std::tuple{-1, 6, "--min-poll -1"}, std::tuple{6, 18, "--max-poll 18"},
        std::tuple{18, 18, "--min-poll 18"}}) {
    const auto policy = poll_policy(min, max);
    ASSERT_FALSE(policy) << min << " " << max;
    EXPECT_NE(policy.error().find(flag), std::string::npos) << policy.error();
    EXPECT_NE(policy.error().find("0..17"), std::string::npos) << policy.error();
  }
}

TEST(PollSchedule, EverySecondWhenTheRangeIsZero) {
  PollSchedule s(poll_policy(0, 0).value());
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(s.after_sample(true), 1s);  // the burst, no slower than the poll
  EXPECT_FALSE(s.in_burst());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(s.after_sample(true), 1s);
  EXPECT_EQ(s.after_no_answer(), 1s);
  EXPECT_EQ(s.after_kiss_rate(6), 1s);  // clamped to --max-poll 0
}

TEST(PollSchedule, StaysWithinACustomRange) {
  PollSchedule s(poll_policy(4, 5).value());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.after_sample(true), 2s);
  EXPECT_EQ(s.after_sample(true), 16s);
  Duration last{};
  for (int i = 0; i < 50; ++i) last = s.after_sample(true);
  EXPECT_EQ(last, 32s);
  for (int i = 0; i < 5; ++i) last = s.after_sample(false);
  EXPECT_EQ(last, 16s);
}

}  // namespace
}  // namespace cw::ntp
