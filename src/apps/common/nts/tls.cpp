// apps/common/nts/tls.cpp — OpenSSL contexts and the NTS exporter (see tls.h).
#include "apps/common/nts/tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <csignal>
#include <cstring>
#include <mutex>

namespace cw::apps::nts {
namespace {

int select_ntske(SSL*, const unsigned char** out, unsigned char* out_length,
                 const unsigned char* in, unsigned int in_length, void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_length, kAlpn, sizeof kAlpn, in, in_length) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_ALERT_FATAL;  // RFC 8915 §4: no ntske/1, no session
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

// OpenSSL writes to its socket with write(2): a peer that has closed (a server closing a
// connection over its rate limit, a client gone mid-handshake) would raise SIGPIPE and kill the
// process. Ignored once, for the whole process, as every TLS daemon does: the write gives EPIPE,
// which the session sees as a TLS failure.
void ignore_sigpipe() {
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

}  // namespace

std::string ssl_error_text() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    const char* reason = ERR_reason_error_string(code);
    if (!text.empty()) text += "; ";
    text += reason != nullptr ? reason : buffer;
  }
  return text.empty() ? "unknown TLS error" : text;
}

Result<SslCtx, std::string> client_context(const std::string& ca_file) {
  ignore_sigpipe();
  SslCtx ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return fail("cannot create a TLS context: " + ssl_error_text());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
  const int loaded = ca_file.empty()
                         ? SSL_CTX_set_default_verify_paths(ctx.get())
                         : SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr);
  if (loaded != 1)
    return fail("cannot load the trust store " + (ca_file.empty() ? "(system)" : ca_file) + ": " +
                ssl_error_text());
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_set_alpn_protos(ctx.get(), kAlpn, sizeof kAlpn) != 0)  // 0 is success here
    return fail("cannot set ALPN: " + ssl_error_text());
  return ctx;
}

Result<SslCtx, std::string> server_context(const std::string& cert_file,
                                           const std::string& key_file) {
  ignore_sigpipe();
  SslCtx ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return fail("cannot create a TLS context: " + ssl_error_text());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert_file.c_str()) != 1)
    return fail("cannot read the NTS certificate " + cert_file + ": " + ssl_error_text());
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return fail("cannot read the NTS key " + key_file + ": " + ssl_error_text());
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    return fail("the NTS key " + key_file + " does not match the certificate " + cert_file);
  SSL_CTX_set_alpn_select_cb(ctx.get(), select_ntske, nullptr);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx.get(), 0);  // no resumption: each KE is a fresh handshake
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION);
  // TLS_AES_128_GCM_SHA256 first, ours over the client's order: its key schedule (HKDF, the
  // transcript hash, the exporter) runs on SHA-256, which this CPU class does in hardware, instead
  // of SHA-384 in software: ~20 % of a handshake's CPU. The NTS keys stay 256 bits (the exporter's
  // output length is the AEAD's), and AES-SIV-CMAC-256 itself is AES-128-based: the KE channel at
  // 128 bits lowers nothing. The other TLS 1.3 suites remain for clients that want them.
  if (SSL_CTX_set_ciphersuites(ctx.get(),
                               "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                               "TLS_CHACHA20_POLY1305_SHA256") != 1)
    return fail("cannot set the TLS 1.3 cipher suites: " + ssl_error_text());
  SSL_CTX_set_options(ctx.get(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  return ctx;
}

bool expect_server_name(SSL* ssl, const std::string& host) {
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (is_ip_literal(host)) return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
}

bool negotiated_ntske(const SSL* ssl) {
  const unsigned char* protocol = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl, &protocol, &length);
  return length == sizeof kAlpn - 1 && std::memcmp(protocol, kAlpn + 1, length) == 0;
}

Result<ntp::nts::SessionKeys, std::string> export_keys(SSL* ssl, ntp::nts::AeadId aead) {
  using namespace ntp::nts;
  SessionKeys keys;
  keys.aead = aead;
  const std::size_t n = key_size(aead);
  for (auto direction : {Direction::client_to_server, Direction::server_to_client}) {
    const auto context = exporter_context(aead, direction);
    auto& out = direction == Direction::client_to_server ? keys.c2s : keys.s2c;
    if (SSL_export_keying_material(ssl, reinterpret_cast<unsigned char*>(out.data()), n,
                                   kExporterLabel.data(), kExporterLabel.size(),
                                   reinterpret_cast<const unsigned char*>(context.data()),
                                   context.size(), 1) != 1)
      return fail("TLS exporter failed: " + ssl_error_text());
  }
  return keys;
}

}  // namespace cw::apps::nts
