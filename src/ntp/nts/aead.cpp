// ntp/nts/aead.cpp — AEAD_AES_SIV_CMAC_256 over nettle's siv_cmac_aes128 (see aead.h).
#include "ntp/nts/aead.h"

#include <algorithm>

#include "ntp/nts/aes_key.h"

namespace cw::ntp::nts {

namespace {
const std::uint8_t* u8(std::span<const std::byte> bytes) {
  return reinterpret_cast<const std::uint8_t*>(bytes.data());
}
std::uint8_t* u8(std::span<std::byte> bytes) {
  return reinterpret_cast<std::uint8_t*>(bytes.data());
}
}  // namespace

std::optional<AeadId> aead_from_id(std::uint16_t id) {
  if (id == static_cast<std::uint16_t>(AeadId::aes_siv_cmac_256)) return AeadId::aes_siv_cmac_256;
  return std::nullopt;
}

std::string_view name(AeadId id) {
  switch (id) {
    case AeadId::aes_siv_cmac_256:
      return "AEAD_AES_SIV_CMAC_256";
  }
  return "?";
}

std::size_t key_size(AeadId id) {
  switch (id) {
    case AeadId::aes_siv_cmac_256:
      return kSivKeySize;
  }
  return 0;
}

std::optional<Aead> Aead::make(AeadId id, std::span<const std::byte> key) {
  if (key.size() != key_size(id)) return std::nullopt;
  Aead aead;
  aead.id_ = id;
  aead.key_size_ = key.size();
  std::copy(key.begin(), key.end(), aead.key_.begin());
  siv_cmac_aes128_fast_set_key(&aead.siv_, u8(key));  // nettle's contexts, AES-NI key expansion
  return aead;
}

bool Aead::encrypt(std::span<const std::byte> nonce, std::span<const std::byte> associated,
                   std::span<const std::byte> plaintext, std::span<std::byte> out) const {
  if (key_size_ == 0 || nonce.empty() || out.size() < plaintext.size() + kSivTagSize) return false;
  siv_cmac_aes128_encrypt_message(&siv_, nonce.size(), u8(nonce), associated.size(), u8(associated),
                                  plaintext.size() + kSivTagSize, u8(out), u8(plaintext));
  return true;
}

bool Aead::decrypt(std::span<const std::byte> nonce, std::span<const std::byte> associated,
                   std::span<const std::byte> ciphertext, std::span<std::byte> out) const {
  if (key_size_ == 0 || nonce.empty() || ciphertext.size() < kSivTagSize ||
      out.size() < ciphertext.size() - kSivTagSize)
    return false;
  return siv_cmac_aes128_decrypt_message(&siv_, nonce.size(), u8(nonce), associated.size(),
                                         u8(associated), ciphertext.size() - kSivTagSize, u8(out),
                                         u8(ciphertext)) == 1;
}

}  // namespace cw::ntp::nts
