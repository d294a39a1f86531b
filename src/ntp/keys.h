// ntp/keys.h — symmetric keys for NTP authentication (RFC 5905 §7.3, RFC 8573) and a store of them
// by key id. The key material is passed in; reading files and environment is the caller's job
// (see ntp/key_file.h for the text format, apps/common/key_loading.h for the loader).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "ntp/packet.h"

namespace cw::ntp {

// The algorithms chronyd offers for NTP keys that we interoperate with, plus seed 001's HMAC.
enum class KeyType : std::uint8_t {
  md5,          // "MD5":    MD5(key || packet), 16 bytes (RFC 5905 §7.3, legacy)
  sha1,         // "SHA1":   SHA1(key || packet), 20 bytes
  sha256,       // "SHA256": SHA256(key || packet), 32 bytes (20 on the wire in NTPv4)
  sha384,       // "SHA384": 48 bytes (20 in NTPv4)
  sha512,       // "SHA512": 64 bytes (20 in NTPv4)
  aes128,       // "AES128": AES-128-CMAC(packet), 16 bytes (RFC 8573)
  aes256,       // "AES256": AES-256-CMAC(packet), 16 bytes (RFC 8573)
  hmac_sha256,  // "HMAC-SHA256": HMAC-SHA256(key, packet), 32 bytes (20 in NTPv4): seed 001's
                // scheme; chronowatch only — chronyd has no HMAC key type
};

inline constexpr std::size_t kMaxDigestSize = 64;  // SHA512

// "MD5", "SHA1", ..., "AES128", "AES256", "HMAC-SHA256": the names of chrony's keyfile.
std::string_view name(KeyType type);
// The type a name (as chrony spells it, case-sensitive) stands for.
std::optional<KeyType> key_type_from_name(std::string_view name);
// The untruncated digest length of the type.
std::size_t full_digest_size(KeyType type);
// The list of names, for error messages: "MD5, SHA1, SHA256, SHA384, SHA512, AES128, AES256,
// HMAC-SHA256".
std::string_view key_type_names();

namespace detail {
class MacEngine;
}

// One key: id, algorithm and secret, with its OpenSSL algorithm prepared once. Immutable; copies
// share the prepared state, and digest() may be called from several threads at once.
class Key {
 public:
  // Fails (with a message) for an empty secret, or an AES key that is not exactly 16/32 bytes
  // (chrony refuses other lengths), or when OpenSSL lacks the algorithm.
  static Result<Key, std::string> make(KeyId id, KeyType type, std::span<const std::byte> secret);

  KeyId id() const { return id_; }
  KeyType type() const { return type_; }
  std::size_t secret_size() const;
  // The untruncated digest of `data` under this key into `out`; returns its length.
  std::size_t digest(std::span<const std::byte> data,
                     std::span<std::byte, kMaxDigestSize> out) const;

 private:
  Key(KeyId id, KeyType type, std::shared_ptr<const detail::MacEngine> engine)
      : id_(id), type_(type), engine_(std::move(engine)) {}
  KeyId id_;
  KeyType type_;
  std::shared_ptr<const detail::MacEngine> engine_;
};

// Keys by id. Lookup is what the hot path does; building happens once at startup.
class KeyStore {
 public:
  // False (and no change) if the id is already present.
  bool add(Key key);
  const Key* find(KeyId id) const;
  std::size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }
  auto begin() const { return keys_.begin(); }
  auto end() const { return keys_.end(); }

 private:
  std::map<std::uint32_t, Key> keys_;
};

}  // namespace cw::ntp
