// ntp/nts/aead.h — the AEADs of NTS (RFC 8915 §5.1): AEAD_AES_SIV_CMAC_256 (RFC 5297, IANA AEAD id
// 15), the algorithm every NTS implementation must offer and the only one chrony 4.3 offers, and
// AEAD_AES_SIV_CMAC_512 (id 17: AES-256, a 64-byte key). AEAD_AES_SIV_CMAC_384 (id 16, AES-192) is
// not offered: nettle has no SIV-CMAC over AES-192.
// nettle's SIV-CMAC does the work: it handles an empty plaintext (every chrony request is
// tag-only), unlike OpenSSL 3.0's AES-SIV, and is several times faster. The associated data is
// S2V's first component and the nonce its second, exactly the two of RFC 8915 §5.6.
#pragma once

#include <nettle/siv-cmac.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "ntp/nts/siv_aesni.h"

namespace cw::ntp::nts {

// IANA "AEAD Algorithms" registry ids that NTS-KE negotiates (RFC 8915 §4.1.5).
enum class AeadId : std::uint16_t {
  aes_siv_cmac_256 = 15,  // AEAD_AES_SIV_CMAC_256: 32-byte key, 16-byte tag
  aes_siv_cmac_512 = 17,  // AEAD_AES_SIV_CMAC_512: 64-byte key, 16-byte tag
};
std::optional<AeadId> aead_from_id(std::uint16_t id);  // only the algorithms we implement
std::string_view name(AeadId id);                      // "AEAD_AES_SIV_CMAC_256"

inline constexpr std::size_t kSivKeySize = 32;
inline constexpr std::size_t kSivTagSize = 16;
inline constexpr std::size_t kNonceSize = 16;  // what we send; RFC 8915 §5.6 asks ≥ 16 of a client
inline constexpr std::size_t kSiv512KeySize = 64;
inline constexpr std::size_t kMaxKeySize = 64;

std::size_t key_size(AeadId id);

// One AEAD key with its cipher schedule prepared once (inline, no allocation: the server makes
// one per request from the keys in a cookie). encrypt()/decrypt() are const and thread-safe.
class Aead {
 public:
  Aead() = default;  // no key: encrypt() and decrypt() fail
  // nullopt when the key's length is not key_size(id).
  static std::optional<Aead> make(AeadId id, std::span<const std::byte> key);
  // The same in place (a cache slot's context is keyed where it lives, not copied there); false,
  // and no key, when the key's length is not key_size(id).
  bool assign(AeadId id, std::span<const std::byte> key);

  AeadId id() const { return id_; }
  std::span<const std::byte> key() const { return std::span(key_).first(key_size_); }

  // Writes tag ‖ ciphertext (plaintext.size() + 16 bytes) into out; false if out is too small.
  bool encrypt(std::span<const std::byte> nonce, std::span<const std::byte> associated,
               std::span<const std::byte> plaintext, std::span<std::byte> out) const;
  // Reverses encrypt(): writes ciphertext.size() − 16 bytes into out; false when the tag does not
  // verify, the ciphertext is shorter than a tag, or out is too small (out is then unspecified).
  bool decrypt(std::span<const std::byte> nonce, std::span<const std::byte> associated,
               std::span<const std::byte> ciphertext, std::span<std::byte> out) const;

 private:
  AeadId id_ = AeadId::aes_siv_cmac_256;
  std::array<std::byte, kMaxKeySize> key_{};
  std::size_t key_size_ = 0;  // 0: no key
  bool aesni_ = false;        // id 15 on our AES-NI SIV (siv_aesni.h) rather than nettle's
  union Contexts {
    siv_cmac_aes128_ctx aes128;  // id 15 without AES-NI
    SivAesNiKey aesni;           // id 15 with it
    siv_cmac_aes256_ctx aes256;  // id 17
  } siv_{};
};

}  // namespace cw::ntp::nts
