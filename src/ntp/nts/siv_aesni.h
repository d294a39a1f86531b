// ntp/nts/siv_aesni.h — AEAD_AES_SIV_CMAC_256 (RFC 5297 over AES-128, NTS's AEAD 15) written
// on AES-NI for the server's hot path, in nettle's form: the associated data is S2V's first
// component, the nonce its second, the plaintext last; the output is tag ‖ ciphertext.
// What it does that nettle's siv_cmac_aes128 does not: S2V's independent CMAC chains (the
// associated data, the nonce, and the plaintext up to the 16 bytes that S2V's xorend changes) run
// side by side, three AES states interleaved, instead of one after the other (serial CMAC waits
// for each AES block to finish, ~10 rounds of latency, and leaves the AES unit mostly idle);
// CMAC(0¹²⁸) and the CMAC of an empty associated data (every cookie) are computed once per key;
// CTR encrypts four blocks at a time; the round keys are not reloaded per block. Its results are
// checked against nettle's at first use (siv_aesni_usable()); the caller uses nettle when it is
// false (no AES-NI, or any difference).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace cw::ntp::nts {

// One AEAD_AES_SIV_CMAC_256 key, ready to use: two AES-128 schedules (S2V's CMAC, CTR), the CMAC
// subkeys and the per-key constants of S2V. Plain bytes: copyable, no alignment asked of the
// holder.
struct SivAesNiKey {
  std::array<std::uint8_t, 176> mac_rounds;  // the key's first half
  std::array<std::uint8_t, 176> ctr_rounds;  // its second half
  std::array<std::uint8_t, 16> k1, k2;       // CMAC subkeys (RFC 4493 §2.3)
  std::array<std::uint8_t, 16> d_zero;       // CMAC(0¹²⁸): S2V's first D
  std::array<std::uint8_t, 16> d_no_ad;      // D after an empty associated-data component
};

// True on a CPU with AES-NI when this code gives nettle's results (checked once, at first call).
bool siv_aesni_usable();

// key: 32 bytes (CMAC key, then CTR key). Only when siv_aesni_usable().
void siv_aesni_set_key(SivAesNiKey& key, const std::uint8_t* bytes);

// out: plaintext.size() + 16 bytes (tag ‖ ciphertext), not overlapping the inputs.
void siv_aesni_encrypt(const SivAesNiKey& key, std::span<const std::byte> nonce,
                       std::span<const std::byte> associated, std::span<const std::byte> plaintext,
                       std::byte* out);
// ciphertext: tag ‖ ciphertext (≥ 16 bytes); out: ciphertext.size() − 16 bytes, not overlapping.
// False (out then unspecified) when the tag does not verify.
bool siv_aesni_decrypt(const SivAesNiKey& key, std::span<const std::byte> nonce,
                       std::span<const std::byte> associated, std::span<const std::byte> ciphertext,
                       std::byte* out);

}  // namespace cw::ntp::nts
