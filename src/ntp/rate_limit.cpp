// ntp/rate_limit.cpp — the fixed-size, 4-way set-associative GCRA table of ntp/rate_limit.h.
#include "ntp/rate_limit.h"

#include <algorithm>
#include <bit>
#include <cstdint>

namespace cw::ntp {
namespace {

constexpr std::size_t kWays = 4;  // a key may live in any of 4 neighbouring slots

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t load64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}

}  // namespace

RateLimiter::RateLimiter(const RateLimitConfig& config, std::uint64_t seed)
    : interval_ns_(config.interval.count()),
      tolerance_ns_(static_cast<std::int64_t>(std::max<std::uint32_t>(config.burst, 1) - 1) *
                    config.interval.count()),
      kod_interval_ns_(config.kod_interval.count()),
      seed_(seed),
      size_(std::bit_ceil(std::max<std::size_t>(config.table_entries, kWays))),
      table_(std::make_unique<Entry[]>(size_)) {}

RateLimiter::Entry& RateLimiter::find_or_replace(std::uint64_t tag, std::int64_t now) {
  const std::size_t base = tag & (size_ - 1) & ~(kWays - 1);
  for (int attempt = 0;; ++attempt) {
    Entry* oldest = nullptr;
    std::uint64_t oldest_tag = 0;
    std::int64_t oldest_tat = INT64_MAX;
    for (std::size_t w = 0; w < kWays; ++w) {
      Entry& e = table_[base + w];
      const std::uint64_t t = e.tag.load(std::memory_order_acquire);
      if (t == tag) return e;
      const std::int64_t tat = t == 0 ? INT64_MIN : e.tat.load(std::memory_order_relaxed);
      if (oldest == nullptr || tat < oldest_tat) {
        oldest = &e;
        oldest_tag = t;
        oldest_tat = tat;
      }
    }
    // Not present: take the slot whose client has been quiet longest; it starts with a full
    // bucket. If another thread took that slot meanwhile, look again (once; then share it).
    if (oldest->tag.compare_exchange_strong(oldest_tag, tag, std::memory_order_acq_rel) ||
        attempt > 0) {
      oldest->tag.store(tag, std::memory_order_release);
      oldest->tat.store(now, std::memory_order_relaxed);
      oldest->kod_tat.store(0, std::memory_order_relaxed);
      return *oldest;
    }
  }
}

RateDecision RateLimiter::check(const IpAddress& client, Timestamp now) {
  if (!enabled()) return RateDecision::kAllow;
  const auto& b = client.bytes();
  const std::uint64_t high = load64(b.data());
  // IPv4 (mapped): the whole address; IPv6: the /64, since one host usually owns a whole /64.
  const std::uint64_t low = client.is_v4() ? load64(b.data() + 8) : 0;
  const std::uint64_t tag = mix(high ^ mix(low ^ seed_)) | 1;  // never 0 (empty)
  const std::int64_t t = std::max<std::int64_t>(unix_ns(now), 1);
  Entry& e = find_or_replace(tag, t);
  std::int64_t seen = e.tat.load(std::memory_order_relaxed);
  for (;;) {  // GCRA: allowed while the theoretical arrival time is within the burst tolerance
    const std::int64_t tat = std::max(seen, t);
    if (tat - t > tolerance_ns_) break;
    if (e.tat.compare_exchange_weak(seen, tat + interval_ns_, std::memory_order_relaxed))
      return RateDecision::kAllow;
  }
  std::int64_t kod = e.kod_tat.load(std::memory_order_relaxed);
  while (kod <= t)
    if (e.kod_tat.compare_exchange_weak(kod, t + kod_interval_ns_, std::memory_order_relaxed))
      return RateDecision::kKissOfDeath;
  return RateDecision::kDrop;
}

}  // namespace cw::ntp
