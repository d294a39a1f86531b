// ntp/rate_limit.cpp — the fixed-size, 4-way set-associative GCRA table of ntp/rate_limit.h.
#include "ntp/rate_limit.h"

#include <algorithm>
#include <bit>

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
      table_(std::bit_ceil(std::max<std::size_t>(config.table_entries, kWays))) {}

RateLimiter::Entry& RateLimiter::find_or_replace(std::uint64_t high, std::uint64_t low,
                                                 std::int64_t now) {
  const std::size_t mask = table_.size() - 1;
  const std::size_t base = mix(high ^ mix(low ^ seed_)) & mask & ~(kWays - 1);
  Entry* oldest = &table_[base];
  for (std::size_t w = 0; w < kWays; ++w) {
    Entry& e = table_[base + w];
    if (e.key_high == high && e.key_low == low && e.tat != 0) return e;
    if (e.tat < oldest->tat) oldest = &e;
  }
  // Not present: take the slot whose client has been quiet longest; it starts with a full bucket.
  *oldest = Entry{high, low, now, 0};
  return *oldest;
}

RateDecision RateLimiter::check(const IpAddress& client, Timestamp now) {
  if (!enabled()) return RateDecision::kAllow;
  const auto& b = client.bytes();
  const std::uint64_t high = load64(b.data());
  // IPv4 (mapped): the whole address; IPv6: the /64, since one host usually owns a whole /64.
  const std::uint64_t low = client.is_v4() ? load64(b.data() + 8) : 0;
  const std::int64_t t = std::max<std::int64_t>(unix_ns(now), 1);
  Entry& e = find_or_replace(high, low, t);
  const std::int64_t tat = std::max(e.tat, t);
  if (tat - t <= tolerance_ns_) {
    e.tat = tat + interval_ns_;
    return RateDecision::kAllow;
  }
  if (e.kod_tat <= t) {
    e.kod_tat = t + kod_interval_ns_;
    return RateDecision::kKissOfDeath;
  }
  return RateDecision::kDrop;
}

}  // namespace cw::ntp
