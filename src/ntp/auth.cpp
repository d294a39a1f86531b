// ntp/auth.cpp — the authentication seam's three cases (see auth.h).
#include "ntp/auth.h"

#include <cstdlib>

#include "ntp/nts/cookies.h"

namespace cw::ntp {

std::string_view to_string(AuthMode mode) {
  switch (mode) {
    case AuthMode::none:
      return "none";
    case AuthMode::symmetric:
      return "symmetric";
    case AuthMode::nts:
      return "nts";
  }
  return "?";
}

ClientAuth ClientAuth::symmetric(Key key) {
  ClientAuth auth;
  auth.state_ = std::move(key);
  return auth;
}

ClientAuth ClientAuth::nts(nts::ClientRequest request) {
  ClientAuth auth;
  auth.state_ = std::move(request);
  return auth;
}

AuthMode ClientAuth::mode() const { return static_cast<AuthMode>(state_.index()); }
const Key* ClientAuth::key() const { return std::get_if<Key>(&state_); }
const nts::ClientRequest* ClientAuth::nts() const {
  return std::get_if<nts::ClientRequest>(&state_);
}

std::size_t ClientAuth::write_request(std::span<std::byte> wire, std::size_t used, Random& random) {
  if (const Key* key = this->key()) return append_mac(*key, wire, used);
  if (auto* request = std::get_if<nts::ClientRequest>(&state_))
    return nts::write_request_fields(*request, wire, used, random);
  return used;
}

Result<AuthProof, AuthError> ClientAuth::check_reply(const ParsedPacket& reply) const {
  AuthProof proof;
  proof.mode = mode();
  if (const Key* key = this->key()) {
    // RFC 5905 §7.3 / RFC 8573: a request made with a key needs a reply signed with that key.
    auto checked = check_mac(reply, *key);
    if (!checked) return fail(checked.error());
    proof.key_id = key->id();
  } else if (const auto* request = nts()) {
    auto cookies = nts::check_reply_fields(*request, reply);
    if (!cookies) return fail(cookies.error());
    proof.cookies = std::move(*cookies);
  }
  return proof;
}

ServerAuthenticator::ServerAuthenticator(ServerKeys keys, std::uint64_t nonce_seed)
    : keys_(std::move(keys)), nonces_(std::make_unique<nts::NonceCounter>(nonce_seed)) {
  if (keys_.nts)
    sessions_ = std::make_unique<nts::SessionCache>(nonce_seed ^ 0x5e55'10c4'c8e0'0001ull);
}

Result<ServerAuth, AuthError> ServerAuthenticator::check_request(
    const ParsedPacket& request) const {
  ServerAuth auth;
  if (request.mac && !request.mac->is_crypto_nak()) {
    static const KeyStore kNoKeys;
    auto checked = check_mac(request, keys_.symmetric ? *keys_.symmetric : kNoKeys);
    if (!checked) return fail(checked.error());
    auth.mode = AuthMode::symmetric;
    auth.key = *checked;
    return auth;
  }
  if (!request.extensions.empty() && nts::has_nts_fields(request)) {
    if (!keys_.nts) return fail(AuthError::nts_unavailable);
    auto plan = nts::check_request_fields(request, *keys_.nts, sessions_.get());
    if (!plan) return fail(plan.error());
    auth.mode = AuthMode::nts;
    auth.nts = *plan;
  }
  return auth;
}

std::size_t ServerAuthenticator::prepare_reply(const ServerAuth& auth, const ParsedPacket& request,
                                               std::span<std::byte> out,
                                               std::size_t header_size) const {
  switch (auth.mode) {
    case AuthMode::none:
      return header_size;
    case AuthMode::symmetric: {
      // RFC 5905 §7.3: the reply carries a MAC of the key the client used; sealed after T3.
      const std::size_t size = header_size + 4 + mac_digest_size(*auth.key, request.header.version);
      return size > out.size() ? 0 : size;
    }
    case AuthMode::nts:
      return nts::prepare_reply_fields(request, auth.nts, out, header_size);
  }
  return 0;
}

void ServerAuthenticator::seal_reply(const ServerAuth& auth, std::span<std::byte> out,
                                     std::size_t reply_size) const {
  if (auth.mode == AuthMode::symmetric && auth.key != nullptr) {
    append_mac(*auth.key, out.first(reply_size), kHeaderSize);
  } else if (auth.mode == AuthMode::nts && keys_.nts) {
    // A failure here is a cookie that did not fit: the reply then fails the client's check,
    // which sees a reply it cannot authenticate, as for any corrupted datagram.
    nts::seal_reply_fields(auth.nts, *keys_.nts, *nonces_, out.first(reply_size), kHeaderSize,
                           sessions_.get());
  }
}

}  // namespace cw::ntp
