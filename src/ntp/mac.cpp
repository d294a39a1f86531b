// ntp/mac.cpp — MAC compute/verify with chronyd's truncation rules (keys.c check_auth and
// ntp_auth.c generate_symmetric_auth of chrony 4.3), and the MAC trailer writer.
#include "ntp/mac.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "core/bytes.h"

namespace cw::ntp {
namespace {

std::uint8_t version_of(std::span<const std::byte> packet) {
  return static_cast<std::uint8_t>((static_cast<unsigned>(packet[0]) >> 3) & 0x7u);
}

bool is_whole_packet(std::span<std::byte> buffer, std::size_t used) {
  return used >= kHeaderSize && used <= buffer.size() && used % 4 == 0;
}

}  // namespace

std::size_t mac_digest_size(const Key& key, std::uint8_t version) {
  const auto full = full_digest_size(key.type());
  return version == 4 ? std::min(full, kMaxV4DigestSize) : full;
}

Digest compute_mac(const Key& key, std::span<const std::byte> covered, std::uint8_t version) {
  Digest out;
  const auto full = key.digest(covered, out.bytes);
  out.size = full == 0 ? 0 : std::min(full, mac_digest_size(key, version));
  return out;
}

bool verify_mac(const Key& key, std::span<const std::byte> covered,
                std::span<const std::byte> digest, std::uint8_t version) {
  // chrony: trunc_len = NTPv4 and MAC ≤ 24 bytes ? 20 : 64; valid iff len == MIN(hash_len,
  // trunc_len).
  const std::size_t truncation =
      version == 4 && digest.size() <= kMaxV4DigestSize ? kMaxV4DigestSize : kMaxDigestSize;
  Digest expected;
  const auto full = key.digest(covered, expected.bytes);
  if (full == 0 || digest.size() != std::min(full, truncation)) return false;
  return CRYPTO_memcmp(expected.bytes.data(), digest.data(), digest.size()) == 0;
}

std::size_t append_mac(const Key& key, std::span<std::byte> buffer, std::size_t used) {
  if (!is_whole_packet(buffer, used)) return 0;
  const auto mac = compute_mac(key, buffer.first(used), version_of(buffer));
  if (mac.size == 0 || buffer.size() - used < 4 + mac.size) return 0;
  ByteWriter writer{buffer.subspan(used)};
  writer.u32(key.id().value);
  writer.bytes(mac.view());
  return writer.overflowed() ? 0 : used + writer.size();
}

std::size_t append_crypto_nak(std::span<std::byte> buffer, std::size_t used) {
  if (!is_whole_packet(buffer, used) || buffer.size() - used < 4) return 0;
  std::fill_n(buffer.begin() + static_cast<std::ptrdiff_t>(used), 4, std::byte{0});
  return used + 4;
}

std::string_view to_string(AuthError error) {
  switch (error) {
    case AuthError::no_mac:
      return "the packet is not authenticated (no MAC)";
    case AuthError::crypto_nak:
      return "the peer answered with a crypto-NAK (it could not authenticate us)";
    case AuthError::unknown_key:
      return "the packet names a key id we do not have";
    case AuthError::wrong_key:
      return "the packet is signed with a different key than the one required";
    case AuthError::bad_mac:
      return "the MAC does not match (wrong key secret or altered packet)";
    case AuthError::nts_nak:
      return "the server sent an NTS NAK (NTSN): it cannot use our cookie, a new NTS-KE is needed";
    case AuthError::nts_malformed:
      return "the NTS extension fields are missing or malformed";
    case AuthError::nts_unique_id:
      return "the NTS unique identifier is not the one we sent";
    case AuthError::nts_bad_authenticator:
      return "the NTS authenticator does not verify (altered packet or wrong keys)";
    case AuthError::nts_bad_cookie:
      return "an NTS cookie cannot be decrypted or has a length we refuse";
    case AuthError::nts_no_cookie:
      return "the NTS reply carries no new cookie";
    case AuthError::nts_unencrypted_cookie:
      return "the NTS reply carries a cookie outside its encrypted fields";
    case AuthError::nts_field_after_authenticator:
      return "an extension field follows the NTS authenticator";
    case AuthError::nts_unavailable:
      return "NTS is not enabled on this server";
  }
  return "unknown authentication error";
}

Result<const Key*, AuthError> check_mac(const ParsedPacket& packet, const KeyStore& keys) {
  if (!packet.mac) return fail(AuthError::no_mac);
  if (packet.mac->is_crypto_nak()) return fail(AuthError::crypto_nak);
  const Key* key = keys.find(packet.mac->key_id);
  if (!key) return fail(AuthError::unknown_key);
  if (!verify_mac(*key, packet.authenticated, packet.mac->digest, packet.header.version))
    return fail(AuthError::bad_mac);
  return key;
}

Result<const Key*, AuthError> check_mac(const ParsedPacket& packet, const Key& expected) {
  if (!packet.mac) return fail(AuthError::no_mac);
  if (packet.mac->is_crypto_nak()) return fail(AuthError::crypto_nak);
  if (packet.mac->key_id != expected.id()) return fail(AuthError::wrong_key);
  if (!verify_mac(expected, packet.authenticated, packet.mac->digest, packet.header.version))
    return fail(AuthError::bad_mac);
  return &expected;
}

}  // namespace cw::ntp
