// ntp/nts/client_session.cpp — the client's cookie jar and keys (see client_session.h).
#include "ntp/nts/client_session.h"

namespace cw::ntp::nts {

std::optional<ClientSession> ClientSession::make(const SessionKeys& keys,
                                                 std::vector<Cookie> cookies) {
  const std::size_t n = key_size(keys.aead);
  auto c2s = Aead::make(keys.aead, std::span(keys.c2s).first(n));
  auto s2c = Aead::make(keys.aead, std::span(keys.s2c).first(n));
  if (!c2s || !s2c) return std::nullopt;
  return ClientSession(*c2s, *s2c, std::move(cookies));
}

ClientSession::ClientSession(Aead c2s, Aead s2c, std::vector<Cookie> cookies)
    : c2s_(c2s), s2c_(s2c) {
  on_reply(std::move(cookies));
}

std::optional<ClientRequest> ClientSession::next_request() {
  if (jar_.empty()) return std::nullopt;
  ClientRequest request;
  request.c2s = c2s_;
  request.s2c = s2c_;
  request.cookie = std::move(jar_.front());
  jar_.pop_front();
  // One cookie comes back anyway; ask for the rest that refill the jar to 8 (§5.7).
  request.placeholders = kMaxCookies - 1 - jar_.size();
  return request;
}

void ClientSession::on_reply(std::vector<Cookie> cookies) {
  for (auto& c : cookies) jar_.push_back(std::move(c));
  while (jar_.size() > kMaxCookies) jar_.pop_front();
}

}  // namespace cw::ntp::nts
