// apps/common/nts/ke_client.h — the NTS-KE client (RFC 8915 §4): TCP + TLS 1.3 with ALPN ntske/1 to
// the server's KE port, the certificate checked against the name we dialled (DNS or IP SAN) and a
// trust store, one request, one response, the keys from the TLS exporter — all within one
// deadline. Follows the server and port records. Blocking; runs on the caller's thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/time.h"
#include "ntp/nts/ke_records.h"
#include "ntp/nts/key_export.h"

namespace cw::apps::nts {

struct KeClientOptions {
  std::string ca_file;                         // PEM trust store; empty = the system's
  Duration timeout = std::chrono::seconds{5};  // for the whole exchange
  // The AEAD algorithms offered, preferred first (the server picks one of them).
  std::vector<ntp::nts::AeadId> aeads{ntp::nts::AeadId::aes_siv_cmac_256};
};

struct KeOutcome {
  ntp::nts::SessionKeys keys;
  std::vector<ntp::nts::Cookie> cookies;
  std::string ntp_host;        // the server record, or the KE host when there was none
  std::uint16_t ntp_port = 0;  // the port record; 0 when there was none (then: 123, §4.1.8)
  std::vector<std::uint16_t> warnings;
};

// One NTS-KE with host:port. Fails with one line saying what failed: connection, TLS (with the
// verification error), ALPN, a KE error record (with its code), or a malformed response.
Result<KeOutcome, std::string> key_exchange(const std::string& host, std::uint16_t port,
                                            const KeClientOptions& options, Clock& clock);

// A client that keeps its TLS context (the trust store loaded once) for many key exchanges: the
// agent's re-keying and the load generator.
class KeClient {
 public:
  static Result<KeClient, std::string> make(const KeClientOptions& options);
  Result<KeOutcome, std::string> key_exchange(const std::string& host, std::uint16_t port,
                                              Clock& clock) const;

 private:
  struct Context;
  explicit KeClient(std::shared_ptr<Context> context, const KeClientOptions& options)
      : context_(std::move(context)), timeout_(options.timeout), aeads_(options.aeads) {}
  std::shared_ptr<Context> context_;
  Duration timeout_;
  std::vector<ntp::nts::AeadId> aeads_;
};

}  // namespace cw::apps::nts
