// ntp/nts/cookies.h — the server's NTS cookies (RFC 8915 §6): the session keys encrypted under a
// master key, whose id travels in clear so that the server finds the key again after rotation.
// Layout (ours; only the server reads it): key id (4) ‖ nonce (16) ‖ SIV(tag ‖ AEAD id (2) ‖
// 0 (2) ‖ C2S ‖ S2C) — 104 bytes for AEAD 15, a multiple of 4 as chrony 4.3 requires. Master keys
// rotate: the current one seals, it and the previous ones (at least two) open. Thread-safe:
// workers seal and open while the edge installs a rotated key ring.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "ntp/nts/aead.h"
#include "ntp/nts/key_export.h"

namespace cw::ntp::nts {

inline constexpr std::size_t kMasterKeySize = kSivKeySize;
inline constexpr std::size_t kKeptPreviousKeys = 3;  // current + 3 previous open cookies

struct MasterKey {
  std::uint32_t id = 0;
  std::array<std::byte, kMasterKeySize> secret{};
};

// The size of a cookie for sessions of `aead`.
std::size_t cookie_size(AeadId aead);

class ServerCookies {
 public:
  // `keys`: current first, then previous ones, newest first. Must not be empty.
  explicit ServerCookies(std::vector<MasterKey> keys);

  // Seals `keys` into out (cookie_size(keys.aead) bytes) under the current master key with
  // `nonce`; returns the size written, 0 if out is too small.
  std::size_t seal(const SessionKeys& keys, std::span<const std::byte> nonce,
                   std::span<std::byte> out) const;
  // Opens a cookie sealed under any kept key; nullopt if none opens it.
  std::optional<SessionKeys> open(std::span<const std::byte> cookie) const;

  // Rotation (at the edge, any thread): `next` becomes current, the old current becomes the
  // newest previous key, and only kKeptPreviousKeys previous keys are kept.
  void rotate(const MasterKey& next);
  // Reload (at the edge, any thread): `keys` (current first, not empty) replace every key.
  void replace(std::vector<MasterKey> keys);
  std::vector<MasterKey> keys() const;  // current first, for persistence
  std::uint32_t current_id() const;
  // Changes with every rotate() and replace(): what a cookie opened under one generation may be
  // cached for.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  struct Ring {
    std::vector<MasterKey> keys;
    std::vector<Aead> aeads;  // same order
  };
  static std::shared_ptr<const Ring> make_ring(std::vector<MasterKey> keys);
  std::atomic<std::shared_ptr<const Ring>> ring_;
  std::atomic<std::uint64_t> generation_{1};  // bumped after each new ring is stored
};

// The text of a key file: one line per key, "id hex-secret", current first (written at the edge
// with mode 0600 and an atomic rename).
std::string format_key_file(const std::vector<MasterKey>& keys);
Result<std::vector<MasterKey>, std::string> parse_key_file(std::string_view text);

}  // namespace cw::ntp::nts
