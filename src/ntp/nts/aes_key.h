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

// Whether the AES-NI expansion is in use (the CPU has it and it matched nettle's).
bool fast_aes_key_setup();

}  // namespace cw::ntp::nts
