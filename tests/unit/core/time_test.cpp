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
