// apps/lazy_openssl.cpp — the OpenSSL functions chronowatch-agent calls, loaded on first use
// (platform/lazy_library.h explains how). Linked into chronowatch-agent only, whose link then
// records no libssl/libcrypto (--as-needed): an agent without NTS, MQTT over TLS or symmetric keys
// never maps them (~2 MB resident of relocations alone). The full `chronowatch` (serve's MAC hot
// path) links OpenSSL directly. A new OpenSSL call in the agent's code fails the agent's build
// (src/apps/CMakeLists.txt checks its NEEDED entries): add one line below (its number of
// parameters after the name).
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "platform/lazy_library.h"

namespace {
cw::platform::LazyLibrary& libssl() {
  static cw::platform::LazyLibrary library{"libssl.so.3", "libssl3"};
  return library;
}
cw::platform::LazyLibrary& libcrypto() {
  static cw::platform::LazyLibrary library{"libcrypto.so.3", "libssl3"};
  return library;
}
}  // namespace

// clang-format off
CW_LAZY_FORWARD(libcrypto(), BIO_ctrl, 4)
CW_LAZY_FORWARD(libcrypto(), BIO_ctrl_pending, 1)
CW_LAZY_FORWARD(libcrypto(), BIO_free, 1)
CW_LAZY_FORWARD(libcrypto(), BIO_new_bio_pair, 4)
CW_LAZY_FORWARD(libcrypto(), BIO_read, 3)
CW_LAZY_FORWARD(libcrypto(), BIO_write, 3)
CW_LAZY_FORWARD(libcrypto(), CRYPTO_memcmp, 3)
CW_LAZY_FORWARD(libcrypto(), ERR_clear_error, 0)
CW_LAZY_FORWARD(libcrypto(), ERR_error_string_n, 3)
CW_LAZY_FORWARD(libcrypto(), ERR_get_error, 0)
CW_LAZY_FORWARD(libcrypto(), ERR_reason_error_string, 1)
CW_LAZY_FORWARD(libcrypto(), EVP_DigestFinal_ex, 3)
CW_LAZY_FORWARD(libcrypto(), EVP_DigestInit_ex2, 3)
CW_LAZY_FORWARD(libcrypto(), EVP_DigestUpdate, 3)
CW_LAZY_FORWARD(libcrypto(), EVP_MAC_CTX_dup, 1)
CW_LAZY_FORWARD(libcrypto(), EVP_MAC_CTX_free, 1)
CW_LAZY_FORWARD(libcrypto(), EVP_MAC_CTX_new, 1)
CW_LAZY_FORWARD(libcrypto(), EVP_MAC_fetch, 3)
CW_LAZY_FORWARD(libcrypto(), EVP_MAC_final, 4)
CW_LAZY_FORWARD(libcrypto(), EVP_MAC_free, 1)
CW_LAZY_FORWARD(libcrypto(), EVP_MAC_init, 4)
CW_LAZY_FORWARD(libcrypto(), EVP_MAC_update, 3)
CW_LAZY_FORWARD(libcrypto(), EVP_MD_CTX_copy_ex, 2)
CW_LAZY_FORWARD(libcrypto(), EVP_MD_CTX_free, 1)
CW_LAZY_FORWARD(libcrypto(), EVP_MD_CTX_new, 0)
CW_LAZY_FORWARD(libcrypto(), EVP_MD_fetch, 3)
CW_LAZY_FORWARD(libcrypto(), EVP_MD_free, 1)
CW_LAZY_FORWARD(libcrypto(), OPENSSL_cleanse, 2)
CW_LAZY_FORWARD(libcrypto(), OSSL_PARAM_construct_end, 0)
CW_LAZY_FORWARD(libcrypto(), OSSL_PARAM_construct_utf8_string, 3)
CW_LAZY_FORWARD(libcrypto(), RAND_bytes, 2)
CW_LAZY_FORWARD(libcrypto(), X509_VERIFY_PARAM_set1_ip_asc, 2)
CW_LAZY_FORWARD(libcrypto(), X509_VERIFY_PARAM_set_hostflags, 2)
CW_LAZY_FORWARD(libcrypto(), X509_verify_cert_error_string, 1)
CW_LAZY_FORWARD(libssl(), SSL_CTX_check_private_key, 1)
CW_LAZY_FORWARD(libssl(), SSL_CTX_ctrl, 4)
CW_LAZY_FORWARD(libssl(), SSL_CTX_free, 1)
CW_LAZY_FORWARD(libssl(), SSL_CTX_get_default_passwd_cb_userdata, 1)
CW_LAZY_FORWARD(libssl(), SSL_CTX_get_ex_data, 2)
CW_LAZY_FORWARD(libssl(), SSL_CTX_load_verify_locations, 3)
CW_LAZY_FORWARD(libssl(), SSL_CTX_new, 1)
CW_LAZY_FORWARD(libssl(), SSL_CTX_set_alpn_protos, 3)
CW_LAZY_FORWARD(libssl(), SSL_CTX_set_alpn_select_cb, 3)
CW_LAZY_FORWARD(libssl(), SSL_CTX_set_ciphersuites, 2)
CW_LAZY_FORWARD(libssl(), SSL_CTX_set_default_passwd_cb_userdata, 2)
CW_LAZY_FORWARD(libssl(), SSL_CTX_set_default_verify_paths, 1)
CW_LAZY_FORWARD(libssl(), SSL_CTX_set_ex_data, 3)
CW_LAZY_FORWARD(libssl(), SSL_CTX_set_num_tickets, 2)
CW_LAZY_FORWARD(libssl(), SSL_CTX_set_options, 2)
CW_LAZY_FORWARD(libssl(), SSL_CTX_set_verify, 3)
CW_LAZY_FORWARD(libssl(), SSL_CTX_use_PrivateKey_file, 3)
CW_LAZY_FORWARD(libssl(), SSL_CTX_use_certificate_chain_file, 2)
CW_LAZY_FORWARD(libssl(), SSL_accept, 1)
CW_LAZY_FORWARD(libssl(), SSL_connect, 1)
CW_LAZY_FORWARD(libssl(), SSL_ctrl, 4)
CW_LAZY_FORWARD(libssl(), SSL_export_keying_material, 8)
CW_LAZY_FORWARD(libssl(), SSL_free, 1)
CW_LAZY_FORWARD(libssl(), SSL_get0_alpn_selected, 3)
CW_LAZY_FORWARD(libssl(), SSL_get0_param, 1)
CW_LAZY_FORWARD(libssl(), SSL_get_error, 2)
CW_LAZY_FORWARD(libssl(), SSL_get_ex_data, 2)
CW_LAZY_FORWARD(libssl(), SSL_get_shutdown, 1)
CW_LAZY_FORWARD(libssl(), SSL_get_verify_result, 1)
CW_LAZY_FORWARD(libssl(), SSL_new, 1)
CW_LAZY_FORWARD(libssl(), SSL_read, 3)
CW_LAZY_FORWARD(libssl(), SSL_select_next_proto, 6)
CW_LAZY_FORWARD(libssl(), SSL_set1_host, 2)
CW_LAZY_FORWARD(libssl(), SSL_set_bio, 3)
CW_LAZY_FORWARD(libssl(), SSL_set_ex_data, 3)
CW_LAZY_FORWARD(libssl(), SSL_set_fd, 2)
CW_LAZY_FORWARD(libssl(), SSL_shutdown, 1)
CW_LAZY_FORWARD(libssl(), SSL_write, 3)
CW_LAZY_FORWARD(libssl(), TLS_client_method, 0)
CW_LAZY_FORWARD(libssl(), TLS_server_method, 0)
// clang-format on
