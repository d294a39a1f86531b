// ntp/source_auth.h — how one association authenticates its requests over time, on top of the
// per-request seam of auth.h: none, one symmetric key (RFC 5905 §7.3, RFC 8573), or NTS (RFC 8915)
// whose keys and cookie jar stay in nts::ClientSession. Each request asks it for a ClientAuth;
// each verified reply gives the NTS cookies back; an NTSN empties the jar. Pure.
#pragma once

#include <optional>
#include <variant>
#include <vector>

#include "ntp/auth.h"
#include "ntp/keys.h"
#include "ntp/nts/client_session.h"

namespace cw::ntp {

class SourceAuth {
 public:
  SourceAuth() = default;  // none
  static SourceAuth symmetric(Key key);
  // NTS; without a session yet the source asks for NTS-KE before its first request.
  static SourceAuth nts(std::optional<nts::ClientSession> session = std::nullopt);

  AuthMode mode() const;
  // The authentication of the next request; nullopt when NTS has no cookie left (NTS-KE needed).
  std::optional<ClientAuth> next_request();
  bool needs_key_exchange() const;  // NTS without a session or without a cookie

  void rekeyed(nts::ClientSession session);            // after an NTS-KE
  void on_verified(std::vector<nts::Cookie> cookies);  // a verified reply's fresh cookies
  void on_nak();                                       // NTSN: every cookie is useless

  const nts::ClientSession* session() const;  // NTS, once keyed; else null
  const Key* key() const;                     // symmetric, else null

 private:
  struct Nts {
    std::optional<nts::ClientSession> session;
  };
  std::variant<std::monostate, Key, Nts> state_;
};

}  // namespace cw::ntp
