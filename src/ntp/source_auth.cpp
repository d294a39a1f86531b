// ntp/source_auth.cpp — see ntp/source_auth.h.
#include "ntp/source_auth.h"

namespace cw::ntp {

SourceAuth SourceAuth::symmetric(Key key) {
  SourceAuth auth;
  auth.state_ = std::move(key);
  return auth;
}

SourceAuth SourceAuth::nts(std::optional<nts::ClientSession> session) {
  SourceAuth auth;
  auth.state_ = Nts{std::move(session)};
  return auth;
}

AuthMode SourceAuth::mode() const {
  if (std::holds_alternative<Key>(state_)) return AuthMode::symmetric;
  if (std::holds_alternative<Nts>(state_)) return AuthMode::nts;
  return AuthMode::none;
}

std::optional<ClientAuth> SourceAuth::next_request() {
  if (const auto* key = std::get_if<Key>(&state_)) return ClientAuth::symmetric(*key);
  if (auto* nts = std::get_if<Nts>(&state_)) {
    if (!nts->session) return std::nullopt;
    auto request = nts->session->next_request();
    if (!request) return std::nullopt;
    return ClientAuth::nts(std::move(*request));
  }
  return ClientAuth{};
}

bool SourceAuth::needs_key_exchange() const {
  const auto* nts = std::get_if<Nts>(&state_);
  return nts != nullptr && (!nts->session || nts->session->needs_key_exchange());
}

void SourceAuth::rekeyed(nts::ClientSession session) {
  if (auto* nts = std::get_if<Nts>(&state_)) nts->session = std::move(session);
}

void SourceAuth::on_verified(std::vector<nts::Cookie> cookies) {
  auto* nts = std::get_if<Nts>(&state_);
  if (nts != nullptr && nts->session) nts->session->on_reply(std::move(cookies));
}

void SourceAuth::on_nak() {
  auto* nts = std::get_if<Nts>(&state_);
  if (nts != nullptr && nts->session) nts->session->on_nak();
}

const nts::ClientSession* SourceAuth::session() const {
  const auto* nts = std::get_if<Nts>(&state_);
  return nts != nullptr && nts->session ? &*nts->session : nullptr;
}

const Key* SourceAuth::key() const { return std::get_if<Key>(&state_); }

}  // namespace cw::ntp
