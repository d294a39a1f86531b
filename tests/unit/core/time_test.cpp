// Unit tests for core/time.h.
#include "core/time.h"

#include <gtest/gtest.h>

namespace cw {
namespace {

TEST(Time, FormatsIso8601WithMicroseconds) {
  EXPECT_EQ(to_iso8601(from_unix_ns(1'764'435'901'442'511'999)), "2025-11-29T17:05:01.442511Z");
  EXPECT_EQ(to_iso8601(from_unix_ns(0)), "1970-01-01T00:00:00.000000Z");
}

TEST(Time, SecondsConversions) {
  EXPECT_EQ(from_seconds(394.000908), Duration{394'000'908'000});
  EXPECT_DOUBLE_EQ(to_seconds(Duration{-1'500'000'000}), -1.5);
}

}  // namespace
}  // namespace cw

namespace cw {
namespace {

TEST(Time, ParsesIso8601) {
  EXPECT_EQ(parse_iso8601("2025-11-29T17:05:01.442511Z"), from_unix_ns(1'764'435'901'442'511'000));
  EXPECT_EQ(parse_iso8601("2025-11-29T17:05:01.442511999Z"),
            from_unix_ns(1'764'435'901'442'511'999));
  EXPECT_EQ(parse_iso8601("2025-11-29 19:05:01.442511+02:00"),
            from_unix_ns(1'764'435'901'442'511'000));
  EXPECT_EQ(parse_iso8601("2025-11-29T16:05:01-0100"), from_unix_ns(1'764'435'901'000'000'000));
  EXPECT_EQ(parse_iso8601("2025-11-29T17:05"), from_unix_ns(1'764'435'900'000'000'000));
  EXPECT_EQ(parse_iso8601("1970-01-01"), from_unix_ns(0));
}

TEST(Time, RejectsMalformedIso8601) {
  for (const char* bad :
       {"", "2025", "2025-13-01", "2025-02-30", "2025-11-29T25:00:00Z", "2025-11-29T17:05:01.Z",
        "2025-11-29T17:05:01Zjunk", "yesterday", "2025-11-29T17:05:01+24:00", "2025/11/29"})
    EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
}

}  // namespace
}  // namespace cw

namespace cw {
namespace {

TEST(Time, Iso8601OutsideTheNanosecondRangeIsRefused) {
  EXPECT_EQ(parse_iso8601("6516-01-01T00:00:00Z"), std::nullopt);  // found by fuzz_events_json
  EXPECT_EQ(parse_iso8601("1600-01-01T00:00:00Z"), std::nullopt);
  EXPECT_TRUE(parse_iso8601("2261-12-31T00:00:00Z").has_value());
}

}  // namespace
}  // namespace cw
