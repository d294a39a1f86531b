// ntp/mac.h — the MAC of an NTP packet (RFC 5905 §7.3, RFC 8573): computing it with the digest
// truncation chronyd applies, verifying it in constant time, appending the trailer (key id +
// digest, or the crypto-NAK) to a serialized packet, and checking the trailer of a parsed packet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/result.h"
#include "ntp/keys.h"
#include "ntp/packet.h"

namespace cw::ntp {

// RFC 7822 §7.5 / chrony's NTP_MAX_V4_MAC_LENGTH (4 + 20): in NTPv4 packets a digest longer than
// 20 bytes (SHA256/384/512, HMAC-SHA256) is truncated to its first 20 bytes, so that the MAC
// cannot be mistaken for an extension field. NTPv1–3 carry the whole digest.
inline constexpr std::size_t kMaxV4DigestSize = 20;

struct Digest {
  std::array<std::byte, kMaxDigestSize> bytes{};
  std::size_t size = 0;
  std::span<const std::byte> view() const { return std::span(bytes).first(size); }
};

// The digest length that goes on the wire for `key` in a packet of `version`.
std::size_t mac_digest_size(const Key& key, std::uint8_t version = kVersion);

// The MAC of `covered` (header + extension fields) under `key`, truncated for `version` as above.
// size is 0 if OpenSSL failed (it does not for the key types of keys.h).
Digest compute_mac(const Key& key, std::span<const std::byte> covered,
                   std::uint8_t version = kVersion);

// True if `digest` is the MAC of `covered` under `key`: constant-time comparison, and the length
// must be exactly what chronyd expects (RFC 7822 §7.5): in NTPv4 the digest truncated to 20 bytes
// when the MAC is at most 24 bytes long, else (NTPv3, or a long NTPv4 MAC) the whole digest.
bool verify_mac(const Key& key, std::span<const std::byte> covered,
                std::span<const std::byte> digest, std::uint8_t version = kVersion);

// Appends key id + MAC of buffer[0, used) to `buffer` (whose first byte says the version);
// returns the new length, or 0 if the buffer is too small or `used` is not a whole packet.
std::size_t append_mac(const Key& key, std::span<std::byte> buffer, std::size_t used);
// Appends the crypto-NAK (RFC 5905 §7.4: a 4-byte MAC of key id 0); returns the new length or 0.
std::size_t append_crypto_nak(std::span<std::byte> buffer, std::size_t used);

// Why a packet's authentication does not hold (RFC 5905 §7.3, §7.4).
enum class AuthError : std::uint8_t {
  no_mac,       // the packet has no MAC trailer
  crypto_nak,   // the packet is a crypto-NAK: the peer could not authenticate our request
  unknown_key,  // the key id is not in our store
  wrong_key,    // a key we know, but not the one we require
  bad_mac,      // the digest does not match (wrong secret, tampered packet, wrong length)
  // NTS (RFC 8915 §5.7):
  nts_nak,                        // the server sent the NTSN Kiss-o'-Death for our unique id
  nts_malformed,                  // NTS fields missing or of the wrong shape
  nts_unique_id,                  // the unique identifier is not the one we sent
  nts_bad_authenticator,          // the authenticator does not verify (tampered, wrong keys)
  nts_bad_cookie,                 // a cookie we cannot decrypt, or of a length we refuse
  nts_no_cookie,                  // a reply that carries no new cookie
  nts_unencrypted_cookie,         // a cookie outside the encrypted fields of a reply
  nts_field_after_authenticator,  // an extension field after the authenticator
  nts_unavailable,                // an NTS request to a server without NTS keys
};
std::string_view to_string(AuthError error);

// Checks the MAC of a parsed packet against the store; on success, the key that signed it.
Result<const Key*, AuthError> check_mac(const ParsedPacket& packet, const KeyStore& keys);
// Checks that the packet is signed with exactly `expected` (a client checking a server's reply).
Result<const Key*, AuthError> check_mac(const ParsedPacket& packet, const Key& expected);

}  // namespace cw::ntp
