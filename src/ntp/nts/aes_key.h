// ntp/nts/aes_key.h — the key setup of nettle's SIV-CMAC-AES-128 context with the AES-128 key
// expansion done by AES-NI (AESKEYGENASSIST) instead of nettle's table-driven C code, which is
// ~9 % of a server's CPU per NTS request whose cookie is not in the session cache (two contexts,
// four key schedules). The contexts are byte-for-byte the ones siv_cmac_aes128_set_key() makes:
// once per process both are made for fixed keys and compared; on any difference, or on a CPU
// without AES-NI, nettle's own set_key is used.
#pragma once

#include <nettle/siv-cmac.h>

#include <cstdint>

namespace cw::ntp::nts {

// Same result as siv_cmac_aes128_set_key(ctx, key) (key: 32 bytes, CMAC half then CTR half).
void siv_cmac_aes128_fast_set_key(siv_cmac_aes128_ctx* ctx, const std::uint8_t* key);

// The AES-128 key expansion by AES-NI: 11 round keys (176 bytes, FIPS-197 byte order) from a
// 16-byte key. Only on a CPU with AES-NI (x86 builds; see fast_aes_key_setup()).
void aes128_expand_aesni(const std::uint8_t* key, std::uint8_t* round_keys);

// Whether the AES-NI expansion is in use (the CPU has it and it matched nettle's).
bool fast_aes_key_setup();

}  // namespace cw::ntp::nts
