// ntp/nts/aes_key.cpp — AES-NI key expansion into nettle's AES-128 contexts (see aes_key.h).
#include "ntp/nts/aes_key.h"

#include <nettle/aes.h>
#include <nettle/cmac.h>

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CW_HAVE_AESNI 1
#endif

namespace cw::ntp::nts {
namespace {

#ifdef CW_HAVE_AESNI
// One round of the FIPS-197 key expansion: key ^= its shifts, ^ the assist word (SubWord, RotWord,
// Rcon already applied by AESKEYGENASSIST).
__attribute__((target("aes,sse2"))) __m128i expand_step(__m128i key, __m128i assist) {
  assist = _mm_shuffle_epi32(assist, 0xff);
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  return _mm_xor_si128(key, assist);
}

// The 11 round keys in FIPS-197 byte order, which is nettle's layout on little-endian x86
// (checked against nettle at first use, see usable()).
__attribute__((target("aes,sse2"))) void expand_aesni(aes128_ctx* ctx, const std::uint8_t* key) {
  aes128_expand_aesni(key, reinterpret_cast<std::uint8_t*>(ctx->keys));
}
#endif

void set_key_with(siv_cmac_aes128_ctx* ctx, const std::uint8_t* key, bool aesni) {
#ifdef CW_HAVE_AESNI
  if (aesni) {
    expand_aesni(&ctx->cmac_cipher, key);
    cmac128_set_key(&ctx->cmac_key, &ctx->cmac_cipher,
                    reinterpret_cast<nettle_cipher_func*>(aes128_encrypt));
    expand_aesni(&ctx->ctr_cipher, key + AES128_KEY_SIZE);
    return;
  }
#endif
  (void)aesni;
  siv_cmac_aes128_set_key(ctx, key);
}

// The AES-NI path, if this CPU has it and it makes exactly nettle's contexts for fixed keys.
bool usable() {
#ifdef CW_HAVE_AESNI
  if (!__builtin_cpu_supports("aes")) return false;
  for (unsigned seed : {0x00u, 0x5au, 0xffu}) {
    std::array<std::uint8_t, 2 * AES128_KEY_SIZE> key{};
    for (std::size_t i = 0; i < key.size(); ++i)
      key[i] = static_cast<std::uint8_t>(seed ^ (i * 37 + 11));
    siv_cmac_aes128_ctx ours{}, theirs{};
    set_key_with(&ours, key.data(), true);
    siv_cmac_aes128_set_key(&theirs, key.data());
    if (std::memcmp(&ours, &theirs, sizeof ours) != 0) return false;
  }
  return true;
#else
  return false;
#endif
}

}  // namespace

#ifdef CW_HAVE_AESNI
__attribute__((target("aes,sse2"))) void aes128_expand_aesni(const std::uint8_t* key,
                                                             std::uint8_t* round_keys) {
  auto* out = reinterpret_cast<__m128i*>(round_keys);
  __m128i k = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
  _mm_storeu_si128(out, k);
#define CW_AES_STEP(i, rcon)                                \
  k = expand_step(k, _mm_aeskeygenassist_si128(k, (rcon))); \
  _mm_storeu_si128(out + (i), k)
  CW_AES_STEP(1, 0x01);
  CW_AES_STEP(2, 0x02);
  CW_AES_STEP(3, 0x04);
  CW_AES_STEP(4, 0x08);
  CW_AES_STEP(5, 0x10);
  CW_AES_STEP(6, 0x20);
  CW_AES_STEP(7, 0x40);
  CW_AES_STEP(8, 0x80);
  CW_AES_STEP(9, 0x1b);
  CW_AES_STEP(10, 0x36);
#undef CW_AES_STEP
}
#endif

bool fast_aes_key_setup() {
  static const bool fast = usable();
  return fast;
}

void siv_cmac_aes128_fast_set_key(siv_cmac_aes128_ctx* ctx, const std::uint8_t* key) {
  set_key_with(ctx, key, fast_aes_key_setup());
}

}  // namespace cw::ntp::nts
