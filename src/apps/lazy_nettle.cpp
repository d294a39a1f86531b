// apps/lazy_nettle.cpp — the nettle functions chronowatch-agent calls (NTS's AES-SIV-CMAC,
// RFC 8915 §5.1), loaded on first use like OpenSSL (apps/lazy_openssl.cpp): an agent without
// --nts does not map libnettle. Linked into chronowatch-agent only.
#include <nettle/aes.h>
#include <nettle/cmac.h>
#include <nettle/siv-cmac.h>

#include "platform/lazy_library.h"

namespace {
cw::platform::LazyLibrary& libnettle() {
  static cw::platform::LazyLibrary library{"libnettle.so.8", "libnettle8"};
  return library;
}
}  // namespace

// clang-format off
CW_LAZY_FORWARD(libnettle(), nettle_siv_cmac_aes128_set_key, 2)
CW_LAZY_FORWARD(libnettle(), nettle_siv_cmac_aes128_encrypt_message, 8)
CW_LAZY_FORWARD(libnettle(), nettle_siv_cmac_aes128_decrypt_message, 8)
CW_LAZY_FORWARD(libnettle(), nettle_siv_cmac_aes256_set_key, 2)
CW_LAZY_FORWARD(libnettle(), nettle_siv_cmac_aes256_encrypt_message, 8)
CW_LAZY_FORWARD(libnettle(), nettle_siv_cmac_aes256_decrypt_message, 8)
CW_LAZY_FORWARD(libnettle(), nettle_cmac128_set_key, 3)
CW_LAZY_FORWARD(libnettle(), nettle_aes128_encrypt, 4)
// clang-format on
