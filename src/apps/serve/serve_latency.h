// apps/serve/serve_latency.h — where a reply's time goes inside the server, as histograms the
// workers fill without locks: T3 − T2 (kernel receive timestamp to transmit timestamp, what a
// client sees) and its user-space part T3 − W (W = when recvmmsg handed the datagram to the
// worker). Their difference is the time the datagram waited in the socket queue and for the worker
// to be scheduled. Buckets: 250 ns wide up to 16 µs, then doubling up to ~0.5 s.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/time.h"

namespace cw::apps {

inline constexpr std::size_t kLinearBuckets = 64;  // [0, 250 ns), ..., [15.75 µs, 16 µs)
inline constexpr std::size_t kLatencyBuckets = kLinearBuckets + 16;
inline constexpr std::int64_t kLinearBucketNs = 250;

std::size_t latency_bucket(Duration d);                    // negative durations count as 0
std::int64_t latency_bucket_upper_ns(std::size_t bucket);  // the bucket's upper bound

// One writer (its worker), any number of readers (relaxed atomics).
struct LatencyHistogram {
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets> counts{};
  void add(Duration d) {
    auto& c = counts[latency_bucket(d)];
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
};

// A snapshot of histograms summed over workers.
struct LatencyCounts {
  std::array<std::uint64_t, kLatencyBuckets> counts{};
  void add(const LatencyHistogram& h);
  std::uint64_t total() const;
  // The upper bound of the bucket holding quantile q (0..1); 0 when empty.
  std::int64_t quantile_ns(double q) const;
};

}  // namespace cw::apps
