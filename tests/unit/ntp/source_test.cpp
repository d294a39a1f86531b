// tests/unit/ntp/source_test.cpp — one association (ntp/source.h) with the fake clock and literal
// replies: bursts, the continuous schedule, the reach register, timeouts, and the one RFC 5905 §7.4
// Kiss-o'-Death policy (RATE backs off, DENY/RSTR demobilize) plus NTSN (RFC 8915 §5.7: one
// re-key, then demobilize if it repeats), the NTS side against our own responder.
#include "ntp/source.h"

#include <gtest/gtest.h>

#include <vector>

#include "ntp/nts/server_fields.h"
#include "ntp/responder.h"
#include "support/fake_clock.h"
#include "support/ntp_reply.h"

namespace cw::ntp {
namespace {

using namespace std::chrono_literals;

using cw::testing::reply_to;

class SourceTest : public ::testing::Test {
 protected:
  cw::testing::FakeClock clock;
  cw::testing::CountingRandom random;
  SourceConfig config;

  // The server answers the request in `a` after 1 ms, its clock `offset` ahead of ours.
  SourceActions answer(Source& s, const SourceActions& a, Duration offset = 0ms,
                       const char* kiss = nullptr, std::int8_t poll = 0) {
    EXPECT_FALSE(a.send.empty());
    const Timestamp t1 = clock.now();
    const auto reply = reply_to(a.send, t1 + 500us + offset, t1 + 500us + offset, kiss, poll);
    clock.advance(1ms);
    return s.on_datagram(reply, t1, clock.now(), clock.monotonic_now());
  }
  // Lets time pass to the timer and fires it.
  SourceActions fire(Source& s, const SourceActions& a) {
    EXPECT_TRUE(a.timer);
    clock.advance(*a.timer - clock.monotonic_now());
    return s.on_timer(clock.monotonic_now());
  }
};

TEST_F(SourceTest, ABurstSendsNRequestsSpacedAndThenIsDone) {
  Source s({}, config, random);
  auto a = s.start_burst(3, 1s, clock.monotonic_now());
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(a.send.empty()) << i;
    EXPECT_EQ(*a.timer, clock.monotonic_now() + config.timeout);  // the reply deadline
    a = answer(s, a, 250ms);
    EXPECT_TRUE(a.updated);
    if (i < 2) {
      EXPECT_EQ(*a.timer, clock.monotonic_now() + 1s);
      a = fire(s, a);
    }
  }
  EXPECT_TRUE(s.done());
  EXPECT_FALSE(a.timer);
  EXPECT_EQ(s.report().samples.size(), 3u);
  EXPECT_EQ(s.reach().bits(), 0b111);
  const auto view = s.view(clock.now());
  ASSERT_TRUE(view);
  EXPECT_EQ(view->filter.best.offset, 250ms);
  EXPECT_EQ(view->stratum, 2);
}

TEST_F(SourceTest, ASilentServerCostsOneTimeoutNotN) {
  Source s({}, config, random);
  auto a = fire(s, s.start_burst(4, 1s, clock.monotonic_now()));
  EXPECT_TRUE(s.done());
  EXPECT_EQ(s.report().silence, Silence::timeout);
  EXPECT_TRUE(a.send.empty());
  EXPECT_FALSE(s.reach().reachable());
  EXPECT_FALSE(s.view(clock.now()));
}

TEST_F(SourceTest, ATimeoutAfterASampleGoesOnWithTheBurst) {
  Source s({}, config, random);
  auto a = answer(s, s.start_burst(3, 1s, clock.monotonic_now()));
  a = fire(s, a);  // the second request
  a = fire(s, a);  // its timeout
  EXPECT_FALSE(s.done());
  a = answer(s, fire(s, a));  // the third
  EXPECT_TRUE(s.done());
  EXPECT_EQ(s.report().samples.size(), 2u);
  EXPECT_EQ(s.reach().bits(), 0b101);  // RFC 5905 §13: shifted at each poll, low bit on answer
}

TEST_F(SourceTest, AStrayDatagramKeepsTheRequestWaiting) {
  Source s({}, config, random);
  auto a = s.start_burst(1, 1s, clock.monotonic_now());
  std::vector<std::byte> stray(a.send.begin(), a.send.end());
  stray[40] ^= std::byte{1};  // another transmit timestamp: the origin will not match
  const auto bogus = reply_to(stray, clock.now(), clock.now());
  const auto after = s.on_datagram(bogus, clock.now(), clock.now(), clock.monotonic_now());
  EXPECT_EQ(after.timer, a.timer);
  EXPECT_FALSE(s.done());
  ASSERT_TRUE(s.report().rejection);
  EXPECT_EQ(s.report().rejection->reason, RejectReason::bogus_origin);
  answer(s, a);
  EXPECT_EQ(s.report().samples.size(), 1u);
}

TEST_F(SourceTest, RateEndsTheBurstAndHoldsTheNextOneOff) {
  Source s({}, config, random);
  auto a = answer(s, s.start_burst(4, 1s, clock.monotonic_now()));
  a = answer(s, fire(s, a), 0ms, "RATE", 8);
  EXPECT_TRUE(s.done());
  EXPECT_FALSE(s.demobilized());
  EXPECT_EQ(s.report().samples.size(), 1u);  // what came before is kept
  // The back-off is at least the server's poll (2^8 s): a burst before then sends nothing.
  clock.advance(200s);
  a = s.start_burst(4, 1s, clock.monotonic_now());
  EXPECT_TRUE(a.send.empty());
  EXPECT_TRUE(s.report().held_off);
  ASSERT_TRUE(s.report().rejection && s.report().rejection->kiss_code);  // still the RATE's
  EXPECT_EQ(s.report().rejection->kiss_code->to_string(), "RATE");
  clock.advance(100s);
  a = s.start_burst(1, 1s, clock.monotonic_now());
  EXPECT_FALSE(a.send.empty());
}

TEST_F(SourceTest, RateBacksTheContinuousPollOff) {
  config.poll.burst = 1;
  Source s({}, config, random);
  auto a = answer(s, s.start(clock.monotonic_now()));
  EXPECT_EQ(*a.timer - clock.monotonic_now(), 64s);  // 2^min_poll
  a = answer(s, fire(s, a), 0ms, "RATE");
  EXPECT_EQ(*a.timer - clock.monotonic_now(), 128s);  // doubled (RFC 5905 §7.4)
  EXPECT_FALSE(s.demobilized());
}

class StopCodes : public SourceTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(StopCodes, DemobilizeTheSourceForGood) {
  Source s({}, config, random);
  auto a = answer(s, s.start(clock.monotonic_now()), 0ms, GetParam());
  EXPECT_TRUE(a.demobilize);
  EXPECT_TRUE(s.demobilized());
  EXPECT_FALSE(a.timer);
  EXPECT_TRUE(s.start_burst(1, 1s, clock.monotonic_now()).send.empty());
  ASSERT_TRUE(s.report().rejection && s.report().rejection->kiss_code);
  EXPECT_EQ(s.report().rejection->kiss_code->to_string(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(DenyAndRstr, StopCodes, ::testing::Values("DENY", "RSTR"));

TEST_F(SourceTest, AnUnsynchronizedAnswerIsNoSampleButNotTheEnd) {
  Source s({}, config, random);
  auto a = s.start_burst(2, 1s, clock.monotonic_now());
  auto reply = reply_to(a.send, clock.now(), clock.now());
  reply[0] = std::byte{0xe4};  // LI = 3, version 4, mode 4
  a = s.on_datagram(reply, clock.now(), clock.now(), clock.monotonic_now());
  EXPECT_FALSE(s.done());
  EXPECT_EQ(s.report().rejection->reason, RejectReason::unsynchronized);
  answer(s, fire(s, a));
  EXPECT_EQ(s.report().samples.size(), 1u);
}

TEST_F(SourceTest, TheContinuousScheduleBurstsThenPollsAtTheMinimum) {
  Source s({}, config, random);  // burst of 4, 2 s apart, then 64 s
  auto a = s.start(clock.monotonic_now());
  for (int i = 0; i < 3; ++i) {
    a = answer(s, a);
    EXPECT_EQ(*a.timer - clock.monotonic_now(), 2s) << i;
    a = fire(s, a);
  }
  a = answer(s, a);
  EXPECT_EQ(*a.timer - clock.monotonic_now(), 64s);
  EXPECT_FALSE(s.done());
}

TEST_F(SourceTest, EightUnansweredPollsEmptyTheReachRegister) {
  config.poll.burst = 1;
  Source s({}, config, random);
  auto a = answer(s, s.start(clock.monotonic_now()));
  EXPECT_TRUE(s.view(clock.now()));
  for (int i = 0; i < 8; ++i) {
    a = fire(s, a);  // the request
    EXPECT_FALSE(a.send.empty());
    a = fire(s, a);  // its timeout
  }
  EXPECT_EQ(s.reach().bits(), 0);
  EXPECT_FALSE(s.view(clock.now()));  // RFC 5905 A.5.5.1: not a candidate any more
}

TEST_F(SourceTest, ForgettingHistoryEmptiesTheFilter) {
  Source s({}, config, random);
  answer(s, s.start_burst(1, 1s, clock.monotonic_now()));
  s.forget_history();
  EXPECT_FALSE(s.view(clock.now()));
  EXPECT_EQ(s.best(), nullptr);
}

// NTS against our own responder: a cookie it can open is answered, one it cannot gets NTSN.
struct NtsServer {
  std::shared_ptr<nts::ServerCookies> cookies =
      std::make_shared<nts::ServerCookies>(std::vector{master(42)});
  nts::ServerCookies stranger{std::vector{master(43)}};  // cookies no longer valid
  Responder responder{config(cookies), 7};
  nts::SessionKeys keys;
  ServerState state = local_state(2, Precision{-20}, from_unix_ns(1'700'000'000'000'000'000));

  static nts::MasterKey master(std::uint32_t id) {
    nts::MasterKey k;
    k.id = id;
    k.secret.fill(std::byte(id));
    return k;
  }
  static ResponderConfig config(std::shared_ptr<nts::ServerCookies> c) {
    ResponderConfig r;
    r.nts = std::move(c);
    return r;
  }
  NtsServer() {
    for (std::size_t i = 0; i < 32; ++i) {
      keys.c2s[i] = std::byte(i + 1);
      keys.s2c[i] = std::byte(i + 101);
    }
  }
  nts::ClientSession session(bool valid) {
    std::vector<nts::Cookie> jar;
    for (std::uint8_t n = 0; n < 2; ++n) {
      nts::Cookie c(nts::cookie_size(keys.aead));
      const std::array<std::byte, 16> nonce{std::byte{n}};
      (valid ? *cookies : stranger).seal(keys, nonce, c);
      jar.push_back(c);
    }
    return *nts::ClientSession::make(keys, jar);
  }
  std::vector<std::byte> answer(std::span<const std::byte> request, Timestamp at) {
    std::vector<std::byte> out(kMaxPacketSize);
    const Reply reply = responder.respond(request, *IpAddress::parse("127.0.0.1"), at, state, out);
    responder.seal(reply, out, at);
    out.resize(reply.size);
    return out;
  }
};

class NtsSource : public SourceTest {
 protected:
  NtsServer server;
  SourceActions exchange(Source& s, const SourceActions& a) {
    const Timestamp t1 = clock.now();
    const auto reply = server.answer(a.send, t1);
    clock.advance(1ms);
    return s.on_datagram(reply, t1, clock.now(), clock.monotonic_now());
  }
};

TEST_F(NtsSource, AsksForNtsKeFirstAndKeepsTheJarFull) {
  Source s(SourceAuth::nts(), config, random);
  auto a = s.start_burst(2, 1s, clock.monotonic_now());
  EXPECT_TRUE(a.key_exchange);
  EXPECT_TRUE(a.send.empty());
  a = s.rekeyed(server.session(true), clock.monotonic_now());
  a = exchange(s, a);
  EXPECT_TRUE(a.updated);
  EXPECT_EQ(s.auth().session()->cookies(), 8u);  // one spent, seven asked for, eight back
  exchange(s, fire(s, a));
  EXPECT_EQ(s.report().samples.size(), 2u);
  EXPECT_EQ(s.report().samples[0].auth, AuthMode::nts);
  EXPECT_EQ(s.report().key_exchanges, 1);
}

TEST_F(NtsSource, NtsnReKeysOnceAndTheBurstGoesOn) {
  Source s(SourceAuth::nts(server.session(false)), config, random);
  auto a = exchange(s, s.start_burst(1, 1s, clock.monotonic_now()));
  EXPECT_TRUE(a.key_exchange);  // the server no longer knows our cookies
  EXPECT_EQ(s.report().rejection->reason, RejectReason::nts_nak);
  a = exchange(s, s.rekeyed(server.session(true), clock.monotonic_now()));
  EXPECT_TRUE(a.updated);
  EXPECT_TRUE(s.done());
  EXPECT_EQ(s.report().samples.size(), 1u);  // the NTSN did not use up the burst
}

TEST_F(NtsSource, NtsnRightAfterANewKeyExchangeDemobilizes) {
  Source s(SourceAuth::nts(server.session(false)), config, random);
  auto a = exchange(s, s.start(clock.monotonic_now()));
  ASSERT_TRUE(a.key_exchange);
  a = exchange(s, s.rekeyed(server.session(false), clock.monotonic_now()));
  EXPECT_TRUE(a.demobilize);
  EXPECT_TRUE(s.demobilized());
}

TEST_F(NtsSource, AFailedKeyExchangeEndsABurstAndIsRetriedContinuously) {
  Source burst(SourceAuth::nts(), config, random);
  burst.start_burst(3, 1s, clock.monotonic_now());
  burst.key_exchange_failed(clock.monotonic_now());
  EXPECT_TRUE(burst.done());
  EXPECT_EQ(burst.report().silence, Silence::key_exchange_failed);

  Source s(SourceAuth::nts(), config, random);
  s.start(clock.monotonic_now());
  auto a = s.key_exchange_failed(clock.monotonic_now());
  EXPECT_EQ(*a.timer - clock.monotonic_now(), config.rekey_retry);
  EXPECT_TRUE(fire(s, a).key_exchange);
}

}  // namespace
}  // namespace cw::ntp
