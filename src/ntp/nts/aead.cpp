// ntp/nts/aead.cpp — AEAD_AES_SIV_CMAC_256 and _512 over nettle's siv_cmac_aes128 and
// siv_cmac_aes256 (see aead.h).
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
  if (id == static_cast<std::uint16_t>(AeadId::aes_siv_cmac_512)) return AeadId::aes_siv_cmac_512;
  return std::nullopt;
}

std::string_view name(AeadId id) {
  switch (id) {
    case AeadId::aes_siv_cmac_256:
      return "AEAD_AES_SIV_CMAC_256";
    case AeadId::aes_siv_cmac_512:
      return "AEAD_AES_SIV_CMAC_512";
  }
  return "?";
}

std::size_t key_size(AeadId id) {
  switch (id) {
    case AeadId::aes_siv_cmac_256:
      return kSivKeySize;
    case AeadId::aes_siv_cmac_512:
      return kSiv512KeySize;
  }
  return 0;
}

std::optional<Aead> Aead::make(AeadId id, std::span<const std::byte> key) {
  Aead aead;
  if (!aead.assign(id, key)) return std::nullopt;
  return aead;
}

bool Aead::assign(AeadId id, std::span<const std::byte> key) {
  key_size_ = 0;
  if (key.size() != key_size(id)) return false;
  id_ = id;
  std::copy(key.begin(), key.end(), key_.begin());
  aesni_ = id == AeadId::aes_siv_cmac_256 && siv_aesni_usable();
  if (id == AeadId::aes_siv_cmac_512)
    siv_cmac_aes256_set_key(&siv_.aes256, u8(key));
  else if (aesni_)
    siv_aesni_set_key(siv_.aesni, u8(key));
  else  // nettle's context, AES-NI key expansion if the CPU has it
    siv_cmac_aes128_fast_set_key(&siv_.aes128, u8(key));
  key_size_ = key.size();
  return true;
}

bool Aead::encrypt(std::span<const std::byte> nonce, std::span<const std::byte> associated,
                   std::span<const std::byte> plaintext, std::span<std::byte> out) const {
  if (key_size_ == 0 || nonce.empty() || out.size() < plaintext.size() + kSivTagSize) return false;
  if (aesni_)
    siv_aesni_encrypt(siv_.aesni, nonce, associated, plaintext, out.data());
  else if (id_ == AeadId::aes_siv_cmac_512)
    siv_cmac_aes256_encrypt_message(&siv_.aes256, nonce.size(), u8(nonce), associated.size(),
                                    u8(associated), plaintext.size() + kSivTagSize, u8(out),
                                    u8(plaintext));
  else
    siv_cmac_aes128_encrypt_message(&siv_.aes128, nonce.size(), u8(nonce), associated.size(),
                                    u8(associated), plaintext.size() + kSivTagSize, u8(out),
                                    u8(plaintext));
  return true;
}

bool Aead::decrypt(std::span<const std::byte> nonce, std::span<const std::byte> associated,
                   std::span<const std::byte> ciphertext, std::span<std::byte> out) const {
  if (key_size_ == 0 || nonce.empty() || ciphertext.size() < kSivTagSize ||
      out.size() < ciphertext.size() - kSivTagSize)
    return false;
  const std::size_t length = ciphertext.size() - kSivTagSize;
  if (aesni_) return siv_aesni_decrypt(siv_.aesni, nonce, associated, ciphertext, out.data());
  if (id_ == AeadId::aes_siv_cmac_512)
    return siv_cmac_aes256_decrypt_message(&siv_.aes256, nonce.size(), u8(nonce), associated.size(),
                                           u8(associated), length, u8(out), u8(ciphertext)) == 1;
  return siv_cmac_aes128_decrypt_message(&siv_.aes128, nonce.size(), u8(nonce), associated.size(),
                                         u8(associated), length, u8(out), u8(ciphertext)) == 1;
}

}  // namespace cw::ntp::nts
