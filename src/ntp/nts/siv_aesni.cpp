// ntp/nts/siv_aesni.cpp — AES-SIV-CMAC-256 on AES-NI with S2V's chains interleaved (see
// siv_aesni.h). RFC 4493 (CMAC), RFC 5297 §2.4 (S2V), §2.6 (SIV-CTR, bits 63 and 31 cleared).
#include "ntp/nts/siv_aesni.h"

#include <nettle/siv-cmac.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "ntp/nts/aes_key.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CW_HAVE_AESNI 1
#define CW_AESNI __attribute__((target("aes,sse4.1")))
#endif

namespace cw::ntp::nts {

#ifdef CW_HAVE_AESNI
namespace {

using Block = __m128i;

CW_AESNI inline Block load(const void* p) { return _mm_loadu_si128(static_cast<const Block*>(p)); }
CW_AESNI inline void store(void* p, Block b) { _mm_storeu_si128(static_cast<Block*>(p), b); }

// The 11 round keys, loaded once per operation (the compiler keeps them in registers).
struct Rounds {
  Block k[11];
  CW_AESNI explicit Rounds(const std::array<std::uint8_t, 176>& bytes) {
    for (int r = 0; r < 11; ++r) k[r] = load(bytes.data() + 16 * r);
  }
};

CW_AESNI inline Block aes(const Rounds& rk, Block x) {
  x = _mm_xor_si128(x, rk.k[0]);
#pragma GCC unroll 9
  for (int r = 1; r < 10; ++r) x = _mm_aesenc_si128(x, rk.k[r]);
  return _mm_aesenclast_si128(x, rk.k[10]);
}

// Three independent blocks through AES at once: each round's three AESENCs overlap.
CW_AESNI inline void aes3(const Rounds& rk, Block& a, Block& b, Block& c) {
  a = _mm_xor_si128(a, rk.k[0]);
  b = _mm_xor_si128(b, rk.k[0]);
  c = _mm_xor_si128(c, rk.k[0]);
#pragma GCC unroll 9
  for (int r = 1; r < 10; ++r) {
    a = _mm_aesenc_si128(a, rk.k[r]);
    b = _mm_aesenc_si128(b, rk.k[r]);
    c = _mm_aesenc_si128(c, rk.k[r]);
  }
  a = _mm_aesenclast_si128(a, rk.k[10]);
  b = _mm_aesenclast_si128(b, rk.k[10]);
  c = _mm_aesenclast_si128(c, rk.k[10]);
}

// Doubling in GF(2¹²⁸) of a block read as a big-endian number (RFC 5297 §2.3).
std::array<std::uint8_t, 16> dbl(const std::array<std::uint8_t, 16>& in) {
  std::uint64_t hi, lo;
  std::memcpy(&hi, in.data(), 8);
  std::memcpy(&lo, in.data() + 8, 8);
  hi = __builtin_bswap64(hi);
  lo = __builtin_bswap64(lo);
  const std::uint64_t reduce = (hi >> 63) * 0x87;
  hi = __builtin_bswap64(hi << 1 | lo >> 63);
  lo = __builtin_bswap64(lo << 1 ^ reduce);
  std::array<std::uint8_t, 16> out;
  std::memcpy(out.data(), &hi, 8);
  std::memcpy(out.data() + 8, &lo, 8);
  return out;
}

CW_AESNI inline std::array<std::uint8_t, 16> bytes_of(Block b) {
  std::array<std::uint8_t, 16> out;
  store(out.data(), b);
  return out;
}

// One CMAC in progress: `steps` blocks, the first `middle` read from data, then `last` (the final
// block already xored with K1 or padded and xored with K2). A prefix lane has no last block.
struct Lane {
  const std::uint8_t* data = nullptr;
  std::size_t middle = 0;
  std::size_t steps = 0;
  Block last = _mm_setzero_si128();
  Block x = _mm_setzero_si128();
  CW_AESNI Block input(std::size_t s) const { return s < middle ? load(data + 16 * s) : last; }
};

// The final block of a message's CMAC from its last 0..16 bytes (RFC 4493 §2.4 steps 3–4).
CW_AESNI Block final_block(const SivAesNiKey& key, const std::uint8_t* tail, std::size_t size) {
  alignas(16) std::uint8_t block[16] = {};
  if (size > 0) std::memcpy(block, tail, size);  // an empty message may have no address
  if (size == 16) return _mm_xor_si128(load(block), load(key.k1.data()));
  block[size] = 0x80;
  return _mm_xor_si128(load(block), load(key.k2.data()));
}

CW_AESNI Lane whole_message(const SivAesNiKey& key, std::span<const std::byte> message) {
  Lane lane;
  lane.data = reinterpret_cast<const std::uint8_t*>(message.data());
  lane.steps = message.empty() ? 1 : (message.size() + 15) / 16;
  lane.middle = lane.steps - 1;
  lane.last = final_block(key, lane.data + 16 * lane.middle, message.size() - 16 * lane.middle);
  return lane;
}

// The lanes side by side until each has done its steps.
CW_AESNI void run(const Rounds& rk, Lane& a, Lane& b, Lane& c) {
  const std::size_t steps = std::max({a.steps, b.steps, c.steps});
  for (std::size_t s = 0; s < steps; ++s) {
    Block xa = _mm_xor_si128(a.x, a.input(s));
    Block xb = _mm_xor_si128(b.x, b.input(s));
    Block xc = _mm_xor_si128(c.x, c.input(s));
    aes3(rk, xa, xb, xc);
    if (s < a.steps) a.x = xa;
    if (s < b.steps) b.x = xb;
    if (s < c.steps) c.x = xc;
  }
}

CW_AESNI Block xor_bytes(const std::array<std::uint8_t, 16>& a, Block b) {
  return _mm_xor_si128(load(a.data()), b);
}

// S2V(K, associated, nonce, plaintext) → the synthetic IV (RFC 5297 §2.4).
CW_AESNI Block s2v(const SivAesNiKey& key, const Rounds& rk, std::span<const std::byte> associated,
                   std::span<const std::byte> nonce, const std::uint8_t* plain, std::size_t size) {
  Lane ad = associated.empty() ? Lane{} : whole_message(key, associated);
  Lane iv = whole_message(key, nonce);
  Lane prefix;  // the plaintext blocks before the 16 bytes that xorend touches
  prefix.data = plain;
  prefix.middle = prefix.steps = size >= 16 ? size / 16 - 1 : 0;
  run(rk, ad, iv, prefix);
  Block d = associated.empty() ? load(key.d_no_ad.data()) : xor_bytes(dbl(key.d_zero), ad.x);
  d = xor_bytes(dbl(bytes_of(d)), iv.x);
  if (size < 16) {  // T = dbl(D) xor pad(P), one complete block
    alignas(16) std::uint8_t padded[16] = {};
    if (size > 0) std::memcpy(padded, plain, size);  // an empty plaintext may have no address
    padded[size] = 0x80;
    const Block t = xor_bytes(dbl(bytes_of(d)), load(padded));
    return aes(rk, _mm_xor_si128(t, load(key.k1.data())));
  }
  // T = P xorend D: the last 16..31 bytes of P from where the prefix stopped, D into their end.
  alignas(16) std::uint8_t tail[32];
  const std::size_t done = 16 * prefix.steps, rest = size - done;
  std::memcpy(tail, plain + done, rest);
  store(tail + rest - 16, _mm_xor_si128(load(tail + rest - 16), d));
  Block x = prefix.x;
  if (rest > 16) x = aes(rk, _mm_xor_si128(x, load(tail)));
  const std::size_t at = rest > 16 ? 16 : 0;
  return aes(rk, _mm_xor_si128(x, final_block(key, tail + at, rest - at)));
}

// Q with its low 32-bit word (big-endian) set to n.
CW_AESNI inline Block counter(Block q, std::uint32_t n) {
  return _mm_insert_epi32(q, static_cast<int>(__builtin_bswap32(n)), 3);
}

// SIV-CTR from V (bits 63 and 31 cleared): eight counter blocks at a time (a reply's cookie
// field, 108 bytes, in one pass). The low 32-bit word is below 2³¹ and a packet is far fewer
// blocks, so no carry leaves it.
CW_AESNI void ctr(const SivAesNiKey& key, Block v, const std::uint8_t* in, std::uint8_t* out,
                  std::size_t size) {
  if (size == 0) return;
  const Rounds rk(key.ctr_rounds);
  alignas(16) std::uint8_t q[16];
  store(q, v);
  q[8] &= 0x7f;
  q[12] &= 0x7f;
  const Block base = load(q);
  std::uint32_t low;
  std::memcpy(&low, q + 12, 4);
  low = __builtin_bswap32(low);
  constexpr std::size_t kWide = 8;
  for (std::size_t off = 0; off < size; off += 16 * kWide, low += kWide) {
    Block b[kWide];  // unrolled completely, so that the eight states stay in registers
#pragma GCC unroll 8
    for (std::size_t j = 0; j < kWide; ++j)
      b[j] = _mm_xor_si128(counter(base, low + static_cast<std::uint32_t>(j)), rk.k[0]);
#pragma GCC unroll 9
    for (int r = 1; r < 10; ++r) {
#pragma GCC unroll 8
      for (std::size_t j = 0; j < kWide; ++j) b[j] = _mm_aesenc_si128(b[j], rk.k[r]);
    }
#pragma GCC unroll 8
    for (std::size_t j = 0; j < kWide; ++j) b[j] = _mm_aesenclast_si128(b[j], rk.k[10]);
    for (std::size_t j = 0; j < kWide && off + 16 * j < size; ++j) {
      const std::size_t at = off + 16 * j, n = std::min<std::size_t>(16, size - at);
      if (n == 16) {
        store(out + at, _mm_xor_si128(load(in + at), b[j]));
        continue;
      }
      alignas(16) std::uint8_t buffer[16] = {};
      std::memcpy(buffer, in + at, n);
      store(buffer, _mm_xor_si128(load(buffer), b[j]));
      std::memcpy(out + at, buffer, n);
    }
  }
}

const std::uint8_t* u8(std::span<const std::byte> bytes) {
  return reinterpret_cast<const std::uint8_t*>(bytes.data());
}

CW_AESNI void set_key(SivAesNiKey& key, const std::uint8_t* bytes) {
  aes128_expand_aesni(bytes, key.mac_rounds.data());
  aes128_expand_aesni(bytes + 16, key.ctr_rounds.data());
  const Rounds rk(key.mac_rounds);
  key.k1 = dbl(bytes_of(aes(rk, _mm_setzero_si128())));
  key.k2 = dbl(key.k1);
  key.d_zero = bytes_of(aes(rk, load(key.k1.data())));  // CMAC of one zero block
  alignas(16) std::uint8_t empty[16] = {0x80};
  const Block cmac_empty = aes(rk, _mm_xor_si128(load(empty), load(key.k2.data())));
  key.d_no_ad = bytes_of(xor_bytes(dbl(key.d_zero), cmac_empty));
}

CW_AESNI void encrypt(const SivAesNiKey& key, std::span<const std::byte> nonce,
                      std::span<const std::byte> associated, std::span<const std::byte> plaintext,
                      std::byte* out) {
  auto* o = reinterpret_cast<std::uint8_t*>(out);
  const Rounds rk(key.mac_rounds);
  const Block v = s2v(key, rk, associated, nonce, u8(plaintext), plaintext.size());
  store(o, v);
  ctr(key, v, u8(plaintext), o + 16, plaintext.size());
}

CW_AESNI bool decrypt(const SivAesNiKey& key, std::span<const std::byte> nonce,
                      std::span<const std::byte> associated, std::span<const std::byte> ciphertext,
                      std::byte* out) {
  auto* o = reinterpret_cast<std::uint8_t*>(out);
  const std::size_t size = ciphertext.size() - 16;
  const Block tag = load(ciphertext.data());
  ctr(key, tag, u8(ciphertext) + 16, o, size);
  const Rounds rk(key.mac_rounds);
  const Block v = s2v(key, rk, associated, nonce, o, size);
  return _mm_movemask_epi8(_mm_cmpeq_epi8(v, tag)) == 0xffff;
}

// Ours against nettle's on every path through S2V and CTR: plaintexts below, at and above one,
// two and three blocks, a cookie's (68) and a reply's cookie field (108); associated data empty,
// partial, whole blocks, a reply's (84) and a request's (192); nonces of 1..20 bytes; a flipped
// byte refused. ~100 operations of each kind at first use (the unit tests compare many more).
bool matches_nettle() {
  std::array<std::uint8_t, 32> key;
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 29 + 7);
  std::array<std::byte, 300> data;
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::byte>(i * 13 + 1);
  SivAesNiKey ours;
  siv_aesni_set_key(ours, key.data());
  siv_cmac_aes128_ctx theirs;
  siv_cmac_aes128_set_key(&theirs, key.data());
  std::array<std::byte, 320> a, b, back;
  using Sizes = std::initializer_list<std::size_t>;
  for (const std::size_t ad : Sizes{0, 1, 16, 17, 84, 192, 228})
    for (const std::size_t p : Sizes{0, 1, 15, 16, 17, 31, 32, 33, 48, 68, 108, 110, 130, 140}) {
      const auto nonce = std::span(data).subspan(200, 1 + p % 20);
      const auto associated = std::span(data).first(ad);
      const auto plain = std::span(data).subspan(50, p);
      siv_aesni_encrypt(ours, nonce, associated, plain, a.data());
      siv_cmac_aes128_encrypt_message(&theirs, nonce.size(), u8(nonce), ad, u8(associated), p + 16,
                                      reinterpret_cast<std::uint8_t*>(b.data()), u8(plain));
      if (std::memcmp(a.data(), b.data(), p + 16) != 0) return false;
      if (!siv_aesni_decrypt(ours, nonce, associated, std::span(a).first(p + 16), back.data()) ||
          std::memcmp(back.data(), plain.data(), p) != 0)
        return false;
      a[p] ^= std::byte{0x20};  // a tag or ciphertext byte
      if (siv_aesni_decrypt(ours, nonce, associated, std::span(a).first(p + 16), back.data()))
        return false;
    }
  return true;
}

}  // namespace

void siv_aesni_set_key(SivAesNiKey& key, const std::uint8_t* bytes) { set_key(key, bytes); }

void siv_aesni_encrypt(const SivAesNiKey& key, std::span<const std::byte> nonce,
                       std::span<const std::byte> associated, std::span<const std::byte> plaintext,
                       std::byte* out) {
  encrypt(key, nonce, associated, plaintext, out);
}

bool siv_aesni_decrypt(const SivAesNiKey& key, std::span<const std::byte> nonce,
                       std::span<const std::byte> associated, std::span<const std::byte> ciphertext,
                       std::byte* out) {
  return decrypt(key, nonce, associated, ciphertext, out);
}

bool siv_aesni_usable() {
  static const bool usable = __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse4.1") &&
                             fast_aes_key_setup() && matches_nettle();
  return usable;
}

#else  // no AES-NI in this build: nettle does the work (see Aead)

bool siv_aesni_usable() { return false; }
void siv_aesni_set_key(SivAesNiKey&, const std::uint8_t*) { std::abort(); }
void siv_aesni_encrypt(const SivAesNiKey&, std::span<const std::byte>, std::span<const std::byte>,
                       std::span<const std::byte>, std::byte*) {
  std::abort();
}
bool siv_aesni_decrypt(const SivAesNiKey&, std::span<const std::byte>, std::span<const std::byte>,
                       std::span<const std::byte>, std::byte*) {
  std::abort();
}

#endif

}  // namespace cw::ntp::nts
