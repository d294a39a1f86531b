// Unit tests for core/ntp_time.h: conversions on both sides of the 2036 era rollover.
#include "core/ntp_time.h"

#include <gtest/gtest.h>

namespace cw {
namespace {

using namespace std::chrono_literals;

constexpr Timestamp kEra1Start = from_unix_ns(2'085'978'496'000'000'000);  // 2036-02-07T06:28:16Z

TEST(NtpTimestamp, UnixEpochIsPrimeEpochPlusSeventyYears) {
  const auto t = NtpTimestamp::from(from_unix_ns(0));
  EXPECT_EQ(t.seconds(), 2'208'988'800u);
  EXPECT_EQ(t.fraction(), 0u);
}

TEST(NtpTimestamp, HalfSecondIsHalfTheFraction) {
  const auto t = NtpTimestamp::from(from_unix_ns(500'000'000));
  EXPECT_EQ(t.fraction(), 0x8000'0000u);
}

TEST(NtpTimestamp, RoundTripsToTheNanosecondWithAPivotNearby) {
  const auto t = from_unix_ns(1'732'000'000'123'456'789);
  EXPECT_EQ(NtpTimestamp::from(t).to_timestamp(t + 1h), t);
  EXPECT_EQ(NtpTimestamp::from(t).to_timestamp(t - 24h * 365 * 30), t);
}

TEST(NtpTimestamp, Era1StartsWithSecondsZero) {
  const auto t = NtpTimestamp::from(kEra1Start);
  EXPECT_EQ(t.seconds(), 0u);
  EXPECT_EQ(t.to_timestamp(kEra1Start - 10s), kEra1Start);
}

TEST(NtpTimestamp, ResolvesEraFromPivotAcrossTheRollover) {
  const auto before = kEra1Start - 1500ms;
  const auto after = kEra1Start + 2500ms;
  // A timestamp from just after the rollover, read by a receiver whose clock is still before it.
  EXPECT_EQ(NtpTimestamp::from(after).to_timestamp(before), after);
  EXPECT_EQ(NtpTimestamp::from(before).to_timestamp(after), before);
}

TEST(NtpTimestamp, DifferenceIsSignedAcrossTheRollover) {
  const auto before = NtpTimestamp::from(kEra1Start - 1500ms);
  const auto after = NtpTimestamp::from(kEra1Start + 2500ms);
  EXPECT_EQ(after - before, 4s);
  EXPECT_EQ(before - after, -4s);
}

TEST(NtpTimestamp, AddingADurationWrapsIntoTheNextEra) {
  const auto before = NtpTimestamp::from(kEra1Start - 1s);
  EXPECT_EQ((before + 3s).seconds(), 2u);
}

TEST(NtpShort, ConvertsAndSaturates) {
  EXPECT_EQ(NtpShort::from(1500ms).raw(), 0x0001'8000u);
  EXPECT_EQ(NtpShort{0x0001'8000u}.to_duration(), 1500ms);
  EXPECT_EQ(NtpShort::from(-1s).raw(), 0u);
  EXPECT_EQ(NtpShort::from(100000s).raw(), 0xffff'ffffu);
}

}  // namespace
}  // namespace cw
