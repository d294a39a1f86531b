// tests/unit/ntp/nts/nts_exchange_test.cpp — an NTS exchange through the seam, client core against
// our responder, with literal timestamps (RFC 8915 §5.7): cookies asked and given, the reply's size
// equal to the request's, NTSN for a bad cookie or authenticator, and the client's refusals.
#include <gtest/gtest.h>

#include "ntp/exchange.h"
#include "ntp/nts/server_fields.h"
#include "ntp/responder.h"
#include "support/fake_clock.h"

namespace cw::ntp {
namespace {

using namespace std::chrono_literals;

const Timestamp kT1 = from_unix_ns(1'763'800'000'000'000'000);
const IpAddress kClient = *IpAddress::parse("127.0.0.1");

struct Fixture {
  std::shared_ptr<nts::ServerCookies> cookies;
  nts::SessionKeys keys;
  Responder responder;
  ServerState state = local_state(2, Precision{-20}, kT1);
  cw::testing::CountingRandom random;

  static nts::MasterKey master() {
    nts::MasterKey k;
    k.id = 42;
    k.secret.fill(std::byte{0x5a});
    return k;
  }
  static ResponderConfig config(std::shared_ptr<nts::ServerCookies> cookies, bool require_nts) {
    ResponderConfig c;
    c.nts = std::move(cookies);
    c.require_nts = require_nts;
    return c;
  }
  explicit Fixture(bool require_nts = false)
      : cookies(std::make_shared<nts::ServerCookies>(std::vector{master()})),
        responder(config(cookies, require_nts), 7) {
    for (std::size_t i = 0; i < 32; ++i) {
      keys.c2s[i] = std::byte(i + 1);
      keys.s2c[i] = std::byte(i + 101);
    }
  }

  nts::Cookie cookie() {
    nts::Cookie c(nts::cookie_size(keys.aead));
    const std::array<std::byte, 16> nonce{std::byte{9}};
    cookies->seal(keys, nonce, c);
    return c;
  }
  nts::ClientRequest client(std::size_t placeholders) {
    nts::ClientRequest r;
    r.c2s = *nts::Aead::make(keys.aead, std::span(keys.c2s).first(nts::key_size(keys.aead)));
    r.s2c = *nts::Aead::make(keys.aead, std::span(keys.s2c).first(nts::key_size(keys.aead)));
    r.cookie = cookie();
    r.placeholders = placeholders;
    return r;
  }
  PendingRequest request(std::size_t placeholders) {
    return make_request(random, ClientAuth::nts(client(placeholders))).value();
  }
  std::vector<std::byte> answer(std::span<const std::byte> datagram, Outcome expected) {
    std::vector<std::byte> out(kMaxPacketSize);
    const Reply reply = responder.respond(datagram, kClient, kT1 + 100us, state, out);
    EXPECT_EQ(reply.outcome, expected);
    responder.seal(reply, out, kT1 + 200us);
    out.resize(reply.size);
    return out;
  }
};

TEST(NtsExchange, EveryPlaceholderCountGetsThatManyCookiesMoreInAReplyOfTheSameSize) {
  Fixture f;
  // Nine placeholders no longer fit in the largest datagram (1140 bytes).
  EXPECT_FALSE(make_request(f.random, ClientAuth::nts(f.client(9))));
  for (std::size_t k = 0; k <= 8; ++k) {
    const auto request = f.request(k);
    const auto reply = f.answer(request.datagram(), Outcome::answered_nts);
    EXPECT_EQ(reply.size(), request.size) << k;
    const auto sample = accept_reply(reply, request, kT1, kT1 + 300us).value();
    EXPECT_EQ(sample.auth, AuthMode::nts);
    EXPECT_TRUE(sample.authenticated);
    EXPECT_EQ(sample.cookies.size(), std::min<std::size_t>(k + 1, 8)) << k;
    EXPECT_EQ(sample.offset(), 0us);
    // Each new cookie opens to the same keys (RFC 8915 §6) and is distinct.
    for (const auto& c : sample.cookies) EXPECT_EQ(f.cookies->open(c)->s2c, f.keys.s2c);
    if (sample.cookies.size() > 1) {
      EXPECT_NE(sample.cookies[0], sample.cookies[1]);
    }
  }
}

TEST(NtsExchange, AFlippedRequestByteGetsNtsnAndTheClientReadsIt) {
  Fixture f;
  const auto request = f.request(0);
  const std::size_t cookie_at = kHeaderSize + 36 + 4 + 10;  // inside the cookie
  const std::size_t tag_at = request.size - 8;              // inside the tag
  for (std::size_t at : {std::size_t{41}, cookie_at, tag_at}) {
    auto bad = std::vector<std::byte>(request.datagram().begin(), request.datagram().end());
    bad[at] ^= std::byte{1};
    const auto nak = f.answer(bad, Outcome::nts_nak);
    EXPECT_EQ(nak.size(), kHeaderSize + 36u);
    if (at == 41) continue;  // the origin no longer matches our own transmit timestamp
    const auto r = accept_reply(nak, request, kT1, kT1 + 1ms).error();
    EXPECT_EQ(r.reason, RejectReason::nts_nak) << at;
    EXPECT_TRUE(r.answers_request());
  }
}

TEST(NtsExchange, AnNtsnSaysWhetherTheCookieOrTheAuthenticatorFailed) {
  Fixture f;
  const auto request = f.request(0);
  std::vector<std::byte> out(kMaxPacketSize);
  for (const auto& [at, bad_cookie] :
       {std::pair{kHeaderSize + 36 + 4 + 10, true}, std::pair{request.size - 8, false}}) {
    auto bad = std::vector<std::byte>(request.datagram().begin(), request.datagram().end());
    bad[at] ^= std::byte{1};
    const Reply reply = f.responder.respond(bad, kClient, kT1, f.state, out);
    EXPECT_EQ(reply.outcome, Outcome::nts_nak);
    EXPECT_EQ(reply.nak_bad_cookie, bad_cookie) << at;
  }
}

TEST(NtsExchange, TheClientRefusesAnyFlippedReplyByte) {
  Fixture f;
  const auto request = f.request(1);
  const auto reply = f.answer(request.datagram(), Outcome::answered_nts);
  for (std::size_t at = 0; at < reply.size(); ++at) {
    auto bad = reply;
    bad[at] ^= std::byte{0x10};
    EXPECT_FALSE(accept_reply(bad, request, kT1, kT1 + 1ms)) << at;
  }
}

TEST(NtsExchange, TheClientRefusesWhatChronyRefuses) {
  Fixture f;
  const auto request = f.request(0);
  auto reply = f.answer(request.datagram(), Outcome::answered_nts);
  // A field after the authenticator.
  auto extra = reply;
  extra.resize(reply.size() + 16);
  write_extension_field(std::span(extra).subspan(reply.size()), 0x7777, {});
  EXPECT_EQ(accept_reply(extra, request, kT1, kT1 + 1ms).error().auth_error,
            AuthError::nts_field_after_authenticator);
  // Another unique identifier: not an answer to this request, so keep waiting.
  auto other = reply;
  other[kHeaderSize + 4] ^= std::byte{1};
  const auto r = accept_reply(other, request, kT1, kT1 + 1ms).error();
  EXPECT_EQ(r.auth_error, AuthError::nts_unique_id);
  EXPECT_FALSE(r.answers_request());
  // A plain reply to an NTS request.
  EXPECT_EQ(
      accept_reply(std::span(reply).first(kHeaderSize), request, kT1, kT1 + 1ms).error().auth_error,
      AuthError::nts_unique_id);
}

TEST(NtsExchange, RequireNtsAnswersOnlyNts) {
  Fixture f(/*require_nts=*/true);
  const auto plain = make_request(f.random);
  f.answer(plain.datagram(), Outcome::ignored_unauthenticated);
  const auto request = f.request(0);
  f.answer(request.datagram(), Outcome::answered_nts);
}

TEST(NtsExchange, AServerWithoutNtsAnswersPlainAndTheClientRefusesIt) {
  Fixture f;
  Responder plain({}, 1);
  const auto request = f.request(0);
  std::vector<std::byte> out(kMaxPacketSize);
  const Reply reply = plain.respond(request.datagram(), kClient, kT1, f.state, out);
  EXPECT_EQ(reply.outcome, Outcome::answered);
  plain.seal(reply, out, kT1);
  EXPECT_FALSE(accept_reply(std::span(out).first(reply.size), request, kT1, kT1 + 1ms));
}

}  // namespace
}  // namespace cw::ntp
