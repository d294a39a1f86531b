// tests/unit/ntp/nts/aes_key_test.cpp — the AES-NI key setup makes exactly nettle's SIV-CMAC
// contexts (every byte: both AES-128 schedules and the CMAC subkeys), for many keys, and is the
// path in use on a CPU with AES-NI; the RFC 5297 vectors of aead_test.cpp run through it too.
#include "ntp/nts/aes_key.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>

namespace cw::ntp::nts {
namespace {

TEST(AesKeySetup, MakesNettlesContextForEveryKey) {
  std::uint64_t state = 0x243f'6a88'85a3'08d3ull;
  for (int n = 0; n < 2000; ++n) {
    std::array<std::uint8_t, 32> key{};
    for (auto& b : key) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      b = static_cast<std::uint8_t>(state >> 56);
    }
    if (n == 0) key.fill(0x00);
    if (n == 1) key.fill(0xff);
    siv_cmac_aes128_ctx ours{}, theirs{};
    siv_cmac_aes128_fast_set_key(&ours, key.data());
    siv_cmac_aes128_set_key(&theirs, key.data());
    ASSERT_EQ(std::memcmp(&ours, &theirs, sizeof ours), 0) << "key " << n;
  }
}

#if defined(__x86_64__)
TEST(AesKeySetup, UsesAesNiWhenTheCpuHasIt) {
  EXPECT_EQ(fast_aes_key_setup(), __builtin_cpu_supports("aes") != 0);
}
#endif

}  // namespace
}  // namespace cw::ntp::nts
