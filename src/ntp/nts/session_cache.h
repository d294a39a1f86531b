// ntp/nts/session_cache.h — one NTP worker's bounded cache of opened cookies (RFC 8915 §6):
// cookie bytes → the session's C2S and S2C AEAD contexts with their key schedules already made,
// so that a request carrying a cookie seen before (ntpperf sends one cookie over and over; a
// client whose reply was lost sends its cookie again) costs no cookie decryption and no key setup.
// What a slot keeps: the whole cookie (a hit needs every byte to match), the generation of the
// master-key ring it was opened under (a rotation makes every slot a miss) and the two keyed
// contexts, about 1 KiB; kSessionCacheSlots slots, direct-mapped by a seeded hash of the cookie's
// SIV tag, so at most ~1 MiB a worker. What it does not change: every request's authenticator is
// still verified under C2S, every reply still sealed under S2C with a fresh nonce and carrying
// freshly sealed cookies. One per worker thread: not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ntp/nts/aead.h"
#include "ntp/nts/ke_records.h"
#include "ntp/nts/key_export.h"

namespace cw::ntp::nts {

inline constexpr std::size_t kSessionCacheSlots = 1024;  // a power of two

// One cached session. `stamp` changes whenever the slot is refilled, so that a reply plan made
// from it can tell, at seal time, whether the slot still holds its session.
struct CachedSession {
  std::uint64_t stamp = 0;  // 0: empty
  std::uint64_t generation = 0;
  std::uint16_t cookie_size = 0;
  std::array<std::byte, kMaxCookieSize> cookie{};
  Aead c2s;
  Aead s2c;
  AeadId aead() const { return c2s.id(); }
};

class SessionCache {
 public:
  explicit SessionCache(std::uint64_t seed, std::size_t slots = kSessionCacheSlots);

  // The session of `cookie` opened under ring `generation`, or null (a miss).
  const CachedSession* find(std::span<const std::byte> cookie, std::uint64_t generation);
  // Keeps `keys` for `cookie` (replacing what its slot held); null when the keys do not make
  // contexts or the cookie is longer than kMaxCookieSize.
  const CachedSession* insert(std::span<const std::byte> cookie, std::uint64_t generation,
                              const SessionKeys& keys);
  // The slot's S2C context if it still holds the session stamped `stamp`, else null.
  const Aead* s2c_if_still(std::uint64_t stamp) const;

  std::uint64_t hits() const { return hits_; }
  std::uint64_t misses() const { return misses_; }

 private:
  std::size_t slot_of(std::span<const std::byte> cookie) const;

  std::uint64_t seed_;
  std::vector<CachedSession> slots_;
  std::uint64_t next_stamp_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace cw::ntp::nts
