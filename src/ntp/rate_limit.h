// ntp/rate_limit.h — per-client rate limiting for the NTP server in a fixed-size table: memory is
// bounded whatever the number of sources (a flood of spoofed addresses only evicts entries, which
// makes the limit more lenient, never the table bigger). Each client (an IPv4 address, or an IPv6
// /64 as chrony does) gets a GCRA token bucket: on average one request per `interval`, with bursts
// of up to `burst`. Over the limit the caller sends a RATE Kiss-o'-Death (RFC 5905 §7.4) at most
// once per `kod_interval` per client and drops the rest. Pure: the time comes from the caller.
// One table serves every worker thread of the server, so a client's limit holds whichever thread
// (SO_REUSEPORT socket) its requests land on: each entry is a few atomics updated by
// compare-and-swap, without a lock. The GCRA update itself is exact across threads; only the
// rare race of two threads inserting or evicting in the same 4-way set at the same instant can
// give a client a fresh bucket (or, for that instant, the evicted client's) — never more memory.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/ip_address.h"
#include "core/time.h"

namespace cw::ntp {

struct RateLimitConfig {
  Duration interval{0};                             // average spacing allowed; 0 disables limiting
  std::uint32_t burst = 16;                         // requests allowed back to back
  Duration kod_interval = std::chrono::seconds(2);  // at most one RATE KoD per client this often
  std::size_t table_entries = 16384;                // rounded up to a power of two; 32 bytes each
};

enum class RateDecision : std::uint8_t { kAllow, kKissOfDeath, kDrop };

class RateLimiter {
 public:
  // `seed` (from the injected random source) keys the table's hash, so that an attacker cannot
  // choose addresses that collide.
  RateLimiter(const RateLimitConfig& config, std::uint64_t seed);

  bool enabled() const { return interval_ns_ > 0; }
  // Thread-safe; lock-free.
  RateDecision check(const IpAddress& client, Timestamp now);
  std::size_t table_entries() const { return size_; }

 private:
  struct alignas(32) Entry {
    std::atomic<std::uint64_t> tag{0};     // keyed hash of the client (IPv6: its /64); 0 = empty
    std::atomic<std::int64_t> tat{0};      // GCRA theoretical arrival time, ns
    std::atomic<std::int64_t> kod_tat{0};  // when the next KoD may be sent, ns
  };
  Entry& find_or_replace(std::uint64_t tag, std::int64_t now);

  std::int64_t interval_ns_;
  std::int64_t tolerance_ns_;  // (burst − 1) × interval
  std::int64_t kod_interval_ns_;
  std::uint64_t seed_;
  std::size_t size_;
  std::unique_ptr<Entry[]> table_;
};

}  // namespace cw::ntp
