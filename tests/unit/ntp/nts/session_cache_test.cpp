// tests/unit/ntp/nts/session_cache_test.cpp — the server worker's cache of opened cookies
// (ntp/nts/session_cache.h): a cookie seen again is a hit and its request is still verified, a
// rotation turns every slot into a miss, a cookie whose master key was dropped is refused even
// though it was cached, and a reply whose slot was taken meanwhile is still sealed correctly.
#include "ntp/nts/session_cache.h"

#include <gtest/gtest.h>

#include "ntp/exchange.h"
#include "ntp/nts/server_fields.h"
#include "support/fake_clock.h"

namespace cw::ntp::nts {
namespace {

using namespace std::chrono_literals;

const Timestamp kT1 = from_unix_ns(1'763'800'000'000'000'000);

MasterKey master(std::uint32_t id) {
  MasterKey k;
  k.id = id;
  k.secret.fill(std::byte(id));
  return k;
}

struct Fixture {
  ServerCookies cookies{{master(1)}};
  NonceCounter nonces{77};
  cw::testing::CountingRandom random;

  SessionKeys keys(std::uint8_t seed) const {
    SessionKeys k;
    for (std::size_t i = 0; i < 32; ++i) {
      k.c2s[i] = std::byte(seed + i);
      k.s2c[i] = std::byte(seed + 100 + i);
    }
    return k;
  }
  PendingRequest request(const SessionKeys& k) {
    ClientRequest r;
    r.c2s = *Aead::make(k.aead, std::span(k.c2s).first(nts::key_size(k.aead)));
    r.s2c = *Aead::make(k.aead, std::span(k.s2c).first(nts::key_size(k.aead)));
    r.cookie.resize(cookie_size(k.aead));
    cookies.seal(k, nonces.next(), r.cookie);
    return make_request(random, ClientAuth::nts(std::move(r))).value();
  }
  Result<ReplyPlan, AuthError> check(std::span<const std::byte> datagram, SessionCache& cache) {
    return check_request_fields(parse(datagram).value(), cookies, &cache);
  }
};

TEST(SessionCache, ACookieSeenAgainIsAHitAndItsRequestIsStillVerified) {
  Fixture f;
  SessionCache cache(5);
  const auto request = f.request(f.keys(1));
  ASSERT_TRUE(f.check(request.datagram(), cache));
  EXPECT_EQ(cache.hits(), 0u);
  const auto again = f.check(request.datagram(), cache);
  ASSERT_TRUE(again);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(again->keys.s2c, f.keys(1).s2c);
  EXPECT_NE(again->cached, 0u);
  // Same cookie, flipped tag: the hit skips the cookie's decryption, not the authenticator's.
  auto bad = std::vector<std::byte>(request.datagram().begin(), request.datagram().end());
  bad.back() ^= std::byte{1};
  EXPECT_EQ(f.check(bad, cache).error(), AuthError::nts_bad_authenticator);
  EXPECT_EQ(cache.hits(), 2u);
}

TEST(SessionCache, ARotationMakesEverySlotAMissAndADroppedKeyIsRefused) {
  Fixture f;
  SessionCache cache(5);
  const auto request = f.request(f.keys(1));
  ASSERT_TRUE(f.check(request.datagram(), cache));
  f.cookies.rotate(master(2));
  ASSERT_TRUE(f.check(request.datagram(), cache));  // opened again under the previous key
  EXPECT_EQ(cache.hits(), 0u);
  ASSERT_TRUE(f.check(request.datagram(), cache));
  EXPECT_EQ(cache.hits(), 1u);
  for (std::uint32_t id = 3; id <= 5; ++id) f.cookies.rotate(master(id));  // key 1 is dropped
  EXPECT_EQ(f.check(request.datagram(), cache).error(), AuthError::nts_bad_cookie);
}

TEST(SessionCache, AReplyWhoseSlotWasTakenIsSealedWithItsOwnKey) {
  Fixture f;
  SessionCache cache(5, /*slots=*/1);
  const auto first = f.request(f.keys(1));
  const auto second = f.request(f.keys(2));
  const auto parsed = parse(first.datagram()).value();
  const auto plan = check_request_fields(parsed, f.cookies, &cache).value();
  ASSERT_NE(cache.s2c_if_still(plan.cached), nullptr);
  ASSERT_TRUE(f.check(second.datagram(), cache));  // takes the only slot
  EXPECT_EQ(cache.s2c_if_still(plan.cached), nullptr);
  // The reply to the first request: header, then the fields sealed under the first S2C key.
  std::vector<std::byte> out(kMaxPacketSize);
  Packet r;
  r.mode = Mode::server;
  r.stratum = Stratum{2};
  r.origin_time = parsed.header.transmit_time;
  r.receive_time = NtpTimestamp::from(kT1 + 100us);
  r.transmit_time = NtpTimestamp::from(kT1 + 200us);
  const std::size_t size = prepare_reply_fields(parsed, plan, out, serialize(r, out));
  ASSERT_EQ(size, first.size);
  ASSERT_TRUE(seal_reply_fields(plan, f.cookies, f.nonces, out, kHeaderSize, &cache));
  const auto sample = accept_reply(std::span(out).first(size), first, kT1, kT1 + 300us);
  ASSERT_TRUE(sample);
  EXPECT_EQ(sample->cookies.size(), 1u);
  EXPECT_EQ(f.cookies.open(sample->cookies.front())->c2s, f.keys(1).c2s);
}

}  // namespace
}  // namespace cw::ntp::nts
