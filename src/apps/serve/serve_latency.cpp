// apps/serve/serve_latency.cpp — bucketing and quantiles of apps/serve_latency.h.
#include "apps/serve/serve_latency.h"

#include <bit>
#include <cmath>

namespace cw::apps {

std::size_t latency_bucket(Duration d) {
  const std::int64_t ns = d.count();
  if (ns <= 0) return 0;
  if (ns < kLinearBucketNs * static_cast<std::int64_t>(kLinearBuckets))
    return static_cast<std::size_t>(ns / kLinearBucketNs);
  // 16 µs → bucket 64, [32 µs, 64 µs) → 65, ...
  const auto above = static_cast<std::uint64_t>(
      ns / (kLinearBucketNs * static_cast<std::int64_t>(kLinearBuckets)));
  const std::size_t octave = static_cast<std::size_t>(std::bit_width(above)) - 1;
  return std::min(kLinearBuckets + octave, kLatencyBuckets - 1);
}

std::int64_t latency_bucket_upper_ns(std::size_t bucket) {
  if (bucket < kLinearBuckets) return kLinearBucketNs * static_cast<std::int64_t>(bucket + 1);
  return kLinearBucketNs * static_cast<std::int64_t>(kLinearBuckets)
         << (bucket - kLinearBuckets + 1);
}

void LatencyCounts::add(const LatencyHistogram& h) {
  for (std::size_t i = 0; i < kLatencyBuckets; ++i)
    counts[i] += h.counts[i].load(std::memory_order_relaxed);
}

std::uint64_t LatencyCounts::total() const {
  std::uint64_t sum = 0;
  for (auto c : counts) sum += c;
  return sum;
}

std::int64_t LatencyCounts::quantile_ns(double q) const {
  const std::uint64_t n = total();
  if (n == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kLatencyBuckets; ++i) {
    seen += counts[i];
    if (seen >= std::max<std::uint64_t>(rank, 1)) return latency_bucket_upper_ns(i);
  }
  return latency_bucket_upper_ns(kLatencyBuckets - 1);
}

}  // namespace cw::apps
