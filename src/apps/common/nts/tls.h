// apps/common/nts/tls.h — the OpenSSL pieces NTS-KE needs (RFC 8915 §4): TLS 1.3 contexts with ALPN
// "ntske/1" for a client (trust store, server-name check against the certificate's SAN) and for a
// server (certificate and key files), the exporter that yields the NTS keys (§5.1), and an owner
// type for SSL handles. Errors are strings with OpenSSL's reason, for one clear line.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "core/result.h"
#include "ntp/nts/key_export.h"

namespace cw::apps::nts {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
};
using SslCtx = std::unique_ptr<SSL_CTX, SslCtxFree>;
using Ssl = std::unique_ptr<SSL, SslFree>;

inline constexpr unsigned char kAlpn[] = {7, 'n', 't', 's', 'k', 'e', '/', '1'};

// The last OpenSSL error queue entries as text ("certificate verify failed", ...).
std::string ssl_error_text();

// A client context: TLS 1.3 only, peer verification against `ca_file` (empty: the system store),
// ALPN ntske/1.
Result<SslCtx, std::string> client_context(const std::string& ca_file);
// A server context: TLS 1.3 only, the certificate chain and key (PEM), ALPN ntske/1 required.
Result<SslCtx, std::string> server_context(const std::string& cert_file,
                                           const std::string& key_file);

// Sets the name the server's certificate must carry (a DNS name, or an IP address SAN for a
// literal) and SNI for names.
bool expect_server_name(SSL* ssl, const std::string& host);

// True when the peer agreed to ALPN ntske/1.
bool negotiated_ntske(const SSL* ssl);

// C2S and S2C keys for `aead` from the TLS exporter (§5.1).
Result<ntp::nts::SessionKeys, std::string> export_keys(SSL* ssl, ntp::nts::AeadId aead);

}  // namespace cw::apps::nts
