// ntp/nts/client_session.h — one client's NTS association with one server after NTS-KE (RFC 8915
// §5.7): the C2S/S2C keys and the cookie jar. Each request spends one cookie and asks, through
// placeholders, for as many as keep the jar at 8; each verified reply puts its cookies back. When
// the jar is empty or the server sent NTSN, a new NTS-KE is needed. Pure: no I/O.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "ntp/nts/client_fields.h"
#include "ntp/nts/key_export.h"

namespace cw::ntp::nts {

class ClientSession {
 public:
  // nullopt when the keys are not of a usable length for their AEAD.
  static std::optional<ClientSession> make(const SessionKeys& keys, std::vector<Cookie> cookies);

  // The next request's NTS part (one cookie out of the jar), or nullopt when the jar is empty.
  std::optional<ClientRequest> next_request();
  // The cookies of a verified reply (at most 8 are kept, oldest dropped first).
  void on_reply(std::vector<Cookie> cookies);
  // After an NTSN: every cookie is useless, a new NTS-KE is needed.
  void on_nak() { jar_.clear(); }

  std::size_t cookies() const { return jar_.size(); }
  bool needs_key_exchange() const { return jar_.empty(); }
  AeadId aead() const { return c2s_.id(); }

 private:
  ClientSession(Aead c2s, Aead s2c, std::vector<Cookie> cookies);
  Aead c2s_;
  Aead s2c_;
  std::deque<Cookie> jar_;
};

}  // namespace cw::ntp::nts
