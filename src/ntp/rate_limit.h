// ntp/rate_limit.h — per-client rate limiting for the NTP server in a fixed-size table: memory is
// bounded whatever the number of sources (a flood of spoofed addresses only evicts entries, which
// makes the limit more lenient, never the table bigger). Each client (an IPv4 address, or an IPv6
// /64 as chrony does) gets a GCRA token bucket: on average one request per `interval`, with bursts
// of up to `burst`. Over the limit the caller sends a RATE Kiss-o'-Death (RFC 5905 §7.4) at most
// once per `kod_interval` per client and drops the rest. Pure: the time comes from the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/ip_address.h"
#include "core/time.h"

namespace cw::ntp {

struct RateLimitConfig {
  Duration interval{0};                       // average spacing allowed; 0 disables limiting
  std::uint32_t burst = 16;                   // requests allowed back to back
  Duration kod_interval = std::chrono::seconds(2);  // at most one RATE KoD per client this often
  std::size_t table_entries = 16384;          // rounded up to a power of two; 32 bytes each
};

enum class RateDecision : std::uint8_t { kAllow, kKissOfDeath, kDrop };

class RateLimiter {
 public:
  // `seed` (from the injected random source) keys the table's hash, so that an attacker cannot
  // choose addresses that collide.
  RateLimiter(const RateLimitConfig& config, std::uint64_t seed);

  bool enabled() const { return interval_ns_ > 0; }
  RateDecision check(const IpAddress& client, Timestamp now);
  std::size_t table_entries() const { return table_.size(); }

 private:
  struct Entry {
    std::uint64_t key_high = 0, key_low = 0;  // the client's address (IPv6: its /64)
    std::int64_t tat = 0;                     // GCRA theoretical arrival time, ns
    std::int64_t kod_tat = 0;                 // when the next KoD may be sent, ns
  };
  Entry& find_or_replace(std::uint64_t high, std::uint64_t low, std::int64_t now);

  std::int64_t interval_ns_;
  std::int64_t tolerance_ns_;  // (burst − 1) × interval
  std::int64_t kod_interval_ns_;
  std::uint64_t seed_;
  std::vector<Entry> table_;
};

}  // namespace cw::ntp
