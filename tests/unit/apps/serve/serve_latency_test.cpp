// tests/unit/apps/serve_latency_test.cpp — the server's latency histograms: bucket edges (250 ns
// linear to 16 µs, then doubling) and quantiles as conservative upper bounds.
#include "apps/serve/serve_latency.h"

#include <gtest/gtest.h>

namespace cw::apps {
namespace {

using namespace std::chrono_literals;

TEST(LatencyHistogram, LinearBucketsUpTo16MicrosecondsThenDoubling) {
  EXPECT_EQ(latency_bucket(-5ns), 0u);
  EXPECT_EQ(latency_bucket(0ns), 0u);
  EXPECT_EQ(latency_bucket(249ns), 0u);
  EXPECT_EQ(latency_bucket(250ns), 1u);
  EXPECT_EQ(latency_bucket(15'999ns), 63u);
  EXPECT_EQ(latency_bucket(16us), 64u);
  EXPECT_EQ(latency_bucket(31'999ns), 64u);
  EXPECT_EQ(latency_bucket(32us), 65u);
  EXPECT_EQ(latency_bucket(1h), kLatencyBuckets - 1);
  EXPECT_EQ(latency_bucket_upper_ns(0), 250);
  EXPECT_EQ(latency_bucket_upper_ns(63), 16'000);
  EXPECT_EQ(latency_bucket_upper_ns(64), 32'000);
  EXPECT_EQ(latency_bucket_upper_ns(65), 64'000);
  for (std::size_t b = 0; b + 1 < kLatencyBuckets; ++b)  // every bucket's values map back to it
    EXPECT_EQ(latency_bucket(std::chrono::nanoseconds(latency_bucket_upper_ns(b) - 1)), b) << b;
}

TEST(LatencyHistogram, QuantilesAreUpperBoundsOfTheirBucket) {
  LatencyHistogram h;
  for (int i = 0; i < 98; ++i) h.add(1'100ns);  // bucket [1.0, 1.25) µs
  h.add(3us);
  h.add(100us);
  LatencyCounts c;
  EXPECT_EQ(c.quantile_ns(0.5), 0);  // empty
  c.add(h);
  c.add(h);  // two workers
  EXPECT_EQ(c.total(), 200u);
  EXPECT_EQ(c.quantile_ns(0.5), 1'250);
  EXPECT_EQ(c.quantile_ns(0.98), 1'250);
  EXPECT_EQ(c.quantile_ns(0.99), 3'250);
  EXPECT_EQ(c.quantile_ns(1.0), 128'000);
}

}  // namespace
}  // namespace cw::apps
