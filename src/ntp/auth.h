// ntp/auth.h — the one authentication seam of the NTP core (chrony's NAU_ instance is the anchor):
// a client authenticator that writes what a request carries and checks what its reply must prove,
// and a server authenticator that checks a request and seals its reply. Each has three cases:
// none, a symmetric key (RFC 5905 §7.3, RFC 8573) and NTS (RFC 8915 §5, pure parts in ntp/nts/).
// make_request/accept_reply (exchange.h) and Responder (responder.h) go only through these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "core/random.h"
#include "core/result.h"
#include "ntp/keys.h"
#include "ntp/mac.h"
#include "ntp/nts/client_fields.h"
#include "ntp/nts/cookies.h"
#include "ntp/nts/server_fields.h"
#include "ntp/packet.h"

namespace cw::ntp {

enum class AuthMode : std::uint8_t { none, symmetric, nts };
std::string_view to_string(AuthMode mode);  // "none", "symmetric", "nts"

// What a verified reply proved: by which mode and key, and (NTS) the fresh cookies it carried.
struct AuthProof {
  AuthMode mode = AuthMode::none;
  std::optional<KeyId> key_id;       // symmetric
  std::vector<nts::Cookie> cookies;  // NTS: the new cookies, in order (RFC 8915 §5.7)
};

// The client side of one request (NAU_CreateInstance + NAU_GenerateRequestAuth +
// NAU_CheckResponseAuth). A value: it lives in the PendingRequest it authenticates.
class ClientAuth {
 public:
  ClientAuth() = default;  // none
  static ClientAuth symmetric(Key key);
  // One NTS request: the session keys and the cookie it spends (ntp/nts/client_fields.h).
  static ClientAuth nts(nts::ClientRequest request);

  AuthMode mode() const;
  const Key* key() const;                 // the symmetric key, else null
  const nts::ClientRequest* nts() const;  // the NTS request, else null

  // Appends what this mode puts after the 48-byte header in wire[0, used) — nothing, a MAC
  // trailer, or the NTS extension fields with a fresh unique identifier and nonce from `random` —
  // and returns the datagram's new size, or 0 if `wire` is too small.
  std::size_t write_request(std::span<std::byte> wire, std::size_t used, Random& random);

  // Checks the authentication of a reply whose header already matched the request.
  Result<AuthProof, AuthError> check_reply(const ParsedPacket& reply) const;

 private:
  std::variant<std::monostate, Key, nts::ClientRequest> state_;
};

// The server side: what a request proved, and what its reply must carry.
struct ServerAuth {
  AuthMode mode = AuthMode::none;
  const Key* key = nullptr;  // symmetric: the client's key, the reply is signed with it
  nts::ReplyPlan nts;        // NTS: keys, unique identifier and cookie count (ntp/nts/)
};

struct ServerKeys {
  std::shared_ptr<const KeyStore> symmetric;      // RFC 5905 §7.3 / RFC 8573 keys, may be null
  std::shared_ptr<const nts::ServerCookies> nts;  // NTS cookie master keys, null without NTS
};

class ServerAuthenticator {
 public:
  explicit ServerAuthenticator(ServerKeys keys, std::uint64_t nonce_seed = 0);

  // Which mode the request uses and whether it verifies. A MAC trailer is symmetric, NTS
  // extension fields are NTS (RFC 8915 §5.7), anything else none.
  Result<ServerAuth, AuthError> check_request(const ParsedPacket& request) const;

  // The reply's size once sealed, when its header takes `header_size` bytes of a buffer: header
  // plus MAC, or plus the NTS fields padded to the request's length (RFC 8915 §5.7). The bytes
  // that do not depend on the transmit timestamp are written into out now. 0 = does not fit.
  std::size_t prepare_reply(const ServerAuth& auth, const ParsedPacket& request,
                            std::span<std::byte> out, std::size_t header_size) const;

  // Writes the authentication that covers the finished header (after T3): the MAC, or the NTS
  // authenticator with the encrypted cookies. out is the whole reply, reply_size bytes.
  void seal_reply(const ServerAuth& auth, std::span<std::byte> out, std::size_t reply_size) const;

  bool has_nts() const { return keys_.nts != nullptr; }
  // A reloaded key file (SIGHUP), between batches: a ServerAuth of the old store must be sealed
  // before this is called (its key points into that store).
  void set_symmetric_keys(std::shared_ptr<const KeyStore> keys) {
    keys_.symmetric = std::move(keys);
  }

 private:
  ServerKeys keys_;
  std::unique_ptr<nts::NonceCounter> nonces_;  // distinct reply nonces (SIV: uniqueness only)
  // With NTS: opened cookies and their keyed contexts (ntp/nts/session_cache.h). A Responder and
  // its authenticator belong to one worker thread, so check_request() may fill it.
  mutable std::unique_ptr<nts::SessionCache> sessions_;
};

}  // namespace cw::ntp
