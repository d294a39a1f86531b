// ntp/nts/session_cache.cpp — the worker's cache of opened cookies (see session_cache.h).
#include "ntp/nts/session_cache.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace cw::ntp::nts {
namespace {

constexpr std::size_t kHashedAt = 20;  // our cookies' SIV tag: key id (4) ‖ nonce (16) ‖ tag
constexpr std::uint64_t kSlotBits = 16;

std::uint64_t read_u64(const std::byte* p) {
  std::uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

SessionCache::SessionCache(std::uint64_t seed, std::size_t slots)
    : seed_(seed | 1), slots_(std::clamp<std::size_t>(std::bit_floor(slots), 1, 1 << kSlotBits)) {}

std::size_t SessionCache::slot_of(std::span<const std::byte> cookie) const {
  const std::size_t at = std::min(kHashedAt, cookie.size() - 8);
  const std::uint64_t mixed = (read_u64(cookie.data() + at) ^ seed_) * 0x9e3779b97f4a7c15ull;
  return static_cast<std::size_t>((mixed ^ (mixed >> 29)) & (slots_.size() - 1));
}

const CachedSession* SessionCache::find(std::span<const std::byte> cookie,
                                        std::uint64_t generation) {
  if (cookie.size() < 8 || cookie.size() > kMaxCookieSize) return nullptr;
  const CachedSession& s = slots_[slot_of(cookie)];
  if (s.stamp == 0 || s.generation != generation || s.cookie_size != cookie.size() ||
      std::memcmp(s.cookie.data(), cookie.data(), cookie.size()) != 0) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  return &s;
}

const CachedSession* SessionCache::insert(std::span<const std::byte> cookie,
                                          std::uint64_t generation, const SessionKeys& keys) {
  if (cookie.size() < 8 || cookie.size() > kMaxCookieSize) return nullptr;
  const std::size_t slot = slot_of(cookie);
  CachedSession& s = slots_[slot];
  s.stamp = 0;  // empty until both contexts are made
  const std::size_t n = key_size(keys.aead);
  if (!s.c2s.assign(keys.aead, std::span(keys.c2s).first(n)) ||
      !s.s2c.assign(keys.aead, std::span(keys.s2c).first(n)))
    return nullptr;
  s.generation = generation;
  s.cookie_size = static_cast<std::uint16_t>(cookie.size());
  std::copy(cookie.begin(), cookie.end(), s.cookie.begin());
  s.stamp = ++next_stamp_ << kSlotBits | slot;
  return &s;
}

const Aead* SessionCache::s2c_if_still(std::uint64_t stamp) const {
  const std::size_t slot = static_cast<std::size_t>(stamp & ((1u << kSlotBits) - 1));
  if (stamp == 0 || slot >= slots_.size() || slots_[slot].stamp != stamp) return nullptr;
  return &slots_[slot].s2c;
}

}  // namespace cw::ntp::nts
