// tests/unit/ntp/nts/siv_aesni_test.cpp — the AES-NI SIV-CMAC-256 gives nettle's results byte for
// byte (tags and ciphertexts) for many keys and every length of associated data (0..260) and
// plaintext (0..140) around the shapes NTS uses, opens what nettle sealed, refuses every flipped
// bit; and it is the path Aead takes for AEAD 15 on a CPU with AES-NI.
#include "ntp/nts/siv_aesni.h"

#include <gtest/gtest.h>
#include <nettle/siv-cmac.h>

#include <array>
#include <cstring>
#include <vector>

namespace cw::ntp::nts {
namespace {

class Bytes {
 public:
  std::uint8_t next() {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint8_t>(state_ >> 56);
  }
  std::vector<std::byte> make(std::size_t n) {
    std::vector<std::byte> out(n);
    for (auto& b : out) b = static_cast<std::byte>(next());
    return out;
  }

 private:
  std::uint64_t state_ = 0x243f'6a88'85a3'08d3ull;
};

const std::uint8_t* u8(const std::vector<std::byte>& v) {
  return reinterpret_cast<const std::uint8_t*>(v.data());
}

TEST(SivAesNi, GivesNettlesTagsAndCiphertexts) {
  if (!siv_aesni_usable()) GTEST_SKIP() << "no AES-NI here";
  Bytes random;
  for (int k = 0; k < 40; ++k) {
    const auto key = random.make(32);
    SivAesNiKey ours;
    siv_aesni_set_key(ours, u8(key));
    siv_cmac_aes128_ctx theirs;
    siv_cmac_aes128_set_key(&theirs, u8(key));
    for (std::size_t ad = k % 3; ad <= 260; ad += 1 + k % 7)
      for (std::size_t p = (k + ad) % 5; p <= 140; p += 3) {
        const auto nonce = random.make(1 + (ad + p) % 24);
        const auto associated = random.make(ad), plain = random.make(p);
        std::vector<std::byte> a(p + 16), b(p + 16), back(p);
        siv_aesni_encrypt(ours, nonce, associated, plain, a.data());
        siv_cmac_aes128_encrypt_message(&theirs, nonce.size(), u8(nonce), ad, u8(associated),
                                        p + 16, reinterpret_cast<std::uint8_t*>(b.data()),
                                        u8(plain));
        ASSERT_EQ(a, b) << "key " << k << " ad " << ad << " plaintext " << p;
        ASSERT_TRUE(siv_aesni_decrypt(ours, nonce, associated, b, back.data()));
        ASSERT_EQ(back, plain);
      }
  }
}

TEST(SivAesNi, RefusesEveryFlippedBit) {
  if (!siv_aesni_usable()) GTEST_SKIP() << "no AES-NI here";
  Bytes random;
  const auto key = random.make(32), nonce = random.make(16), associated = random.make(84);
  const auto plain = random.make(108);  // a reply's cookie field
  SivAesNiKey ours;
  siv_aesni_set_key(ours, u8(key));
  std::vector<std::byte> sealed(plain.size() + 16), back(plain.size());
  siv_aesni_encrypt(ours, nonce, associated, plain, sealed.data());
  for (std::size_t i = 0; i < 8 * sealed.size(); ++i) {
    sealed[i / 8] ^= std::byte(1 << (i % 8));
    EXPECT_FALSE(siv_aesni_decrypt(ours, nonce, associated, sealed, back.data())) << i;
    sealed[i / 8] ^= std::byte(1 << (i % 8));
  }
  auto other = associated;
  for (std::size_t i = 0; i < other.size(); ++i) {
    other[i] ^= std::byte{0x80};
    EXPECT_FALSE(siv_aesni_decrypt(ours, nonce, other, sealed, back.data())) << i;
    other[i] ^= std::byte{0x80};
  }
  EXPECT_FALSE(siv_aesni_decrypt(ours, random.make(16), associated, sealed, back.data()));
  EXPECT_TRUE(siv_aesni_decrypt(ours, nonce, associated, sealed, back.data()));
}

#if defined(__x86_64__)
TEST(SivAesNi, IsInUseOnACpuWithAesNi) {
  EXPECT_EQ(siv_aesni_usable(), __builtin_cpu_supports("aes") != 0);
}
#endif

}  // namespace
}  // namespace cw::ntp::nts
