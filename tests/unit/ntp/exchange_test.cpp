// tests/unit/ntp/exchange_test.cpp — the client exchange with literal timestamps: the request's
// shape, RFC 5905 offset/delay, and every rejection (short, wrong mode, wrong origin, zero
// timestamps, Kiss-o'-Death codes, unsynchronized servers).
#include "ntp/exchange.h"

#include <gtest/gtest.h>

#include <vector>

#include "ntp/mac.h"
#include "support/fake_clock.h"

namespace cw::ntp {
namespace {

using namespace std::chrono_literals;

constexpr Timestamp at(double seconds) {
  return from_unix_ns(1'700'000'000'000'000'000 + static_cast<std::int64_t>(seconds * 1e9 + 0.5));
}

Packet server_header(const PendingRequest& request, Timestamp t2, Timestamp t3) {
  Packet p;
  p.leap = LeapIndicator::no_warning;
  p.version = 4;
  p.mode = Mode::server;
  p.stratum = Stratum{2};
  p.precision = Precision{-20};
  p.root_delay = NtpShort::from(2ms);
  p.root_dispersion = NtpShort::from(1ms);
  p.reference_id = RefId::from_u32(0x7f000001);
  p.reference_time = NtpTimestamp::from(t2 - 10s);
  p.origin_time = request.sent_transmit;
  p.receive_time = NtpTimestamp::from(t2);
  p.transmit_time = NtpTimestamp::from(t3);
  return p;
}

std::vector<std::byte> bytes_of(const Packet& p) {
  const auto wire = serialize(p);
  return {wire.begin(), wire.end()};
}

std::vector<std::byte> reply_with(const PendingRequest& request, Timestamp t2, Timestamp t3) {
  return bytes_of(server_header(request, t2, t3));
}

class Exchange : public ::testing::Test {
 protected:
  testing::CountingRandom random;
  PendingRequest request = make_request(random);
};

TEST_F(Exchange, RequestIsMode3Version4WithRandomTransmitAndNothingElse) {
  const auto parsed = parse(request.datagram()).value();
  EXPECT_EQ(parsed.header.mode, Mode::client);
  EXPECT_EQ(parsed.header.version, 4);
  EXPECT_EQ(parsed.header.transmit_time, request.sent_transmit);
  EXPECT_FALSE(request.sent_transmit.is_zero());
  EXPECT_TRUE(parsed.header.origin_time.is_zero());
  EXPECT_TRUE(parsed.header.receive_time.is_zero());
  EXPECT_TRUE(parsed.header.reference_time.is_zero());
  EXPECT_EQ(request.datagram().size(), kHeaderSize);
  // Two requests never share a transmit timestamp (it comes from the random source, not a clock).
  EXPECT_NE(make_request(random).sent_transmit, request.sent_transmit);
}

TEST_F(Exchange, OffsetAndDelayFollowRfc5905) {
  const auto reply = reply_with(request, /*t2=*/at(10.000'100), /*t3=*/at(10.000'200));
  const auto sample =
      accept_reply(reply, request, /*t1=*/at(10.000'000), /*t4=*/at(10.000'400)).value();
  EXPECT_EQ(sample.offset(), -50us);  // ((t2-t1)+(t3-t4))/2
  EXPECT_EQ(sample.delay(), 300us);   // (t4-t1)-(t3-t2)
  EXPECT_EQ(sample.server.stratum, Stratum{2});
  EXPECT_EQ(sample.sent_at, at(10.0));
  EXPECT_EQ(sample.measurement.time, at(10.0004));
  EXPECT_FALSE(sample.authenticated);
}

TEST_F(Exchange, ServerAheadByTwoAndAHalfSeconds) {
  const auto reply = reply_with(request, at(12.500'1), at(12.500'2));
  const auto sample = accept_reply(reply, request, at(10.0), at(10.000'3)).value();
  EXPECT_EQ(sample.offset(), 2500ms);
  EXPECT_EQ(sample.delay(), 200us);
}

TEST_F(Exchange, RootDistanceAndDispersionComeFromTheHeader) {
  const auto reply = reply_with(request, at(10.0001), at(10.0002));
  const auto sample = accept_reply(reply, request, at(10.0), at(10.0003), 1us).value();
  EXPECT_NEAR(to_seconds(sample.root.root_delay), 0.002, 2e-5);
  EXPECT_NEAR(to_seconds(sample.root.root_dispersion), 0.001, 2e-5);
  // max(MINDISP, Δ+δ)/2 + E + ε with ε = ρ_server (≈1 µs) + ρ_local (1 µs) + PHI·300 µs
  EXPECT_NEAR(to_seconds(sample.root_distance()), 0.005 + 0.001 + 2e-6, 3e-5);
}

TEST_F(Exchange, ShortDatagramIsMalformed) {
  auto reply = reply_with(request, at(10), at(10));
  reply.resize(40);
  const auto r = accept_reply(reply, request, at(10), at(10));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, RejectReason::malformed);
  EXPECT_EQ(r.error().parse_error, ParseError::too_short);
  EXPECT_FALSE(r.error().answers_request());
}

TEST_F(Exchange, EmptyDatagramIsMalformed) {
  const auto r = accept_reply({}, request, at(10), at(10));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, RejectReason::malformed);
}

TEST_F(Exchange, WrongModeIsRejected) {
  for (auto mode : {Mode::client, Mode::broadcast, Mode::symmetric_active, Mode::control}) {
    auto p = server_header(request, at(10), at(10));
    p.mode = mode;
    const auto r = accept_reply(bytes_of(p), request, at(10), at(10));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, RejectReason::wrong_mode);
  }
}

TEST_F(Exchange, WrongOriginIsRejected) {
  auto p = server_header(request, at(10), at(10));
  p.origin_time = NtpTimestamp{request.sent_transmit.raw() + 1};
  const auto r = accept_reply(bytes_of(p), request, at(10), at(10));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, RejectReason::bogus_origin);
  EXPECT_FALSE(r.error().answers_request());
}

TEST_F(Exchange, OriginEqualToOurClockIsNotEnough) {
  // A reply that echoes T1 (what a client leaking its clock would have sent) is bogus for us.
  auto p = server_header(request, at(10), at(10));
  p.origin_time = NtpTimestamp::from(at(10));
  EXPECT_EQ(accept_reply(bytes_of(p), request, at(10), at(10)).error().reason,
            RejectReason::bogus_origin);
}

TEST_F(Exchange, ZeroTransmitOrReceiveIsRejected) {
  auto p = server_header(request, at(10), at(10));
  p.transmit_time = NtpTimestamp{};
  EXPECT_EQ(accept_reply(bytes_of(p), request, at(10), at(10)).error().reason,
            RejectReason::zero_timestamp);
  p = server_header(request, at(10), at(10));
  p.receive_time = NtpTimestamp{};
  EXPECT_EQ(accept_reply(bytes_of(p), request, at(10), at(10)).error().reason,
            RejectReason::zero_timestamp);
}

Rejection kiss(const PendingRequest& request, const char* code) {
  auto p = server_header(request, at(10), at(10));
  p.stratum = Stratum{0};
  p.reference_id = RefId::from_ascii(code);
  return accept_reply(bytes_of(p), request, at(10), at(10)).error();
}

TEST_F(Exchange, KissOfDeathIsReportedByCode) {
  const auto rate = kiss(request, "RATE");
  EXPECT_EQ(rate.reason, RejectReason::kiss_of_death);
  ASSERT_TRUE(rate.kiss_code);
  EXPECT_EQ(rate.kiss_code->to_string(), "RATE");
  EXPECT_EQ(kiss_action(*rate.kiss_code), KissAction::back_off);
  EXPECT_TRUE(rate.answers_request());
  EXPECT_EQ(kiss_action(*kiss(request, "DENY").kiss_code), KissAction::stop);
  EXPECT_EQ(kiss_action(*kiss(request, "RSTR").kiss_code), KissAction::stop);
  EXPECT_EQ(kiss_action(*kiss(request, "INIT").kiss_code), KissAction::none);
  EXPECT_NE(describe(kiss(request, "DENY")).find("DENY"), std::string::npos);
}

TEST_F(Exchange, KissOfDeathWithWrongOriginIsJustBogus) {
  auto p = server_header(request, at(10), at(10));
  p.stratum = Stratum{0};
  p.reference_id = RefId::from_ascii("DENY");
  p.origin_time = NtpTimestamp{12345};
  EXPECT_EQ(accept_reply(bytes_of(p), request, at(10), at(10)).error().reason,
            RejectReason::bogus_origin);
}

TEST_F(Exchange, UnsynchronizedServerIsReportedNotUsed) {
  auto p = server_header(request, at(10), at(10));
  p.leap = LeapIndicator::unsynchronized;
  auto r = accept_reply(bytes_of(p), request, at(10), at(10));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, RejectReason::unsynchronized);
  ASSERT_TRUE(r.error().server);
  EXPECT_EQ(r.error().server->stratum, Stratum{2});
  p = server_header(request, at(10), at(10));
  p.stratum = Stratum{16};
  EXPECT_EQ(accept_reply(bytes_of(p), request, at(10), at(10)).error().reason,
            RejectReason::unsynchronized);
}

TEST_F(Exchange, UnsynchronizedChronydIsNotAKissOfDeath) {
  // What chronyd sends before it is synchronized: LI = 3, stratum 0, refid 0.
  auto p = server_header(request, at(10), at(10));
  p.leap = LeapIndicator::unsynchronized;
  p.stratum = Stratum{0};
  p.reference_id = RefId{};
  auto r = accept_reply(bytes_of(p), request, at(10), at(10)).error();
  EXPECT_EQ(r.reason, RejectReason::unsynchronized);
  EXPECT_FALSE(r.kiss_code);
  // ntpd's INIT (and STEP) before its first synchronization: unsynchronized, code reported.
  p.reference_id = RefId::from_ascii("INIT");
  r = accept_reply(bytes_of(p), request, at(10), at(10)).error();
  EXPECT_EQ(r.reason, RejectReason::unsynchronized);
  ASSERT_TRUE(r.kiss_code);
  EXPECT_NE(describe(r).find("INIT"), std::string::npos);
}

TEST_F(Exchange, RateFromAnUnsynchronizedHeaderIsStillAKissOfDeath) {
  // chronyd and ntpd send their KoD with LI = 3.
  auto p = server_header(request, at(10), at(10));
  p.leap = LeapIndicator::unsynchronized;
  p.stratum = Stratum{0};
  for (const char* code : {"RATE", "DENY", "RSTR"}) {
    p.reference_id = RefId::from_ascii(code);
    EXPECT_EQ(accept_reply(bytes_of(p), request, at(10), at(10)).error().reason,
              RejectReason::kiss_of_death)
        << code;
  }
}

TEST_F(Exchange, LeapWarningIsNotAnError) {
  auto p = server_header(request, at(10), at(10));
  p.leap = LeapIndicator::insert_second;
  EXPECT_TRUE(accept_reply(bytes_of(p), request, at(10), at(10)));
}

TEST_F(Exchange, HugeRootDistanceIsRejected) {
  auto p = server_header(request, at(10), at(10));
  p.root_dispersion = NtpShort::from(20s);
  EXPECT_EQ(accept_reply(bytes_of(p), request, at(10), at(10)).error().reason,
            RejectReason::root_distance);
}

TEST_F(Exchange, EveryReasonHasAName) {
  for (int i = 0; i <= static_cast<int>(RejectReason::bad_mac); ++i) {
    const auto reason = static_cast<RejectReason>(i);
    EXPECT_STRNE(to_string(reason), "?");
    EXPECT_FALSE(describe(Rejection{reason, {}, {}, {}, {}}).empty());
  }
}

// --- authentication (RFC 5905 §7.3, RFC 8573) ---

Key make_key(std::uint32_t id, KeyType type, std::size_t length, std::uint8_t fill) {
  std::vector<std::byte> secret(length, std::byte{fill});
  return Key::make(KeyId{id}, type, secret).value();
}

std::vector<std::byte> signed_reply(const PendingRequest& request, const Key& key) {
  std::array<std::byte, kMaxRequestSize> buffer{};
  serialize(server_header(request, at(10.0001), at(10.0002)), buffer);
  const auto size = append_mac(key, buffer, kHeaderSize);
  return {buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(size)};
}

class AuthenticatedExchange : public ::testing::TestWithParam<KeyType> {
 protected:
  Key key = make_key(7, GetParam(), GetParam() == KeyType::aes256 ? 32 : 16, 0x42);
  testing::CountingRandom random;
  PendingRequest request = make_request(random, key);
};

TEST_P(AuthenticatedExchange, RequestCarriesKeyIdAndTruncatedDigest) {
  const auto parsed = parse(request.datagram()).value();
  ASSERT_TRUE(parsed.mac);
  EXPECT_EQ(parsed.mac->key_id, KeyId{7});
  EXPECT_EQ(parsed.mac->digest.size(), mac_digest_size(key));
  EXPECT_TRUE(check_mac(parsed, key));
}

TEST_P(AuthenticatedExchange, SignedReplyIsAcceptedAndMarkedAuthenticated) {
  const auto sample =
      accept_reply(signed_reply(request, key), request, at(10), at(10.0003)).value();
  EXPECT_TRUE(sample.authenticated);
  EXPECT_EQ(sample.key_id, KeyId{7});
  EXPECT_EQ(sample.offset(), 0us);
}

TEST_P(AuthenticatedExchange, UnsignedReplyIsRejected) {
  const auto r = accept_reply(reply_with(request, at(10), at(10)), request, at(10), at(10));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, RejectReason::missing_mac);
  EXPECT_TRUE(r.error().answers_request());
}

TEST_P(AuthenticatedExchange, FlippedByteAnywhereFailsTheMac) {
  const auto good = signed_reply(request, key);
  for (std::size_t i : {std::size_t{1}, std::size_t{44}, good.size() - 1}) {
    auto bad = good;
    bad[i] ^= std::byte{0x01};
    const auto r = accept_reply(bad, request, at(10), at(10));
    ASSERT_FALSE(r) << "byte " << i;
    EXPECT_EQ(r.error().reason, RejectReason::bad_mac) << "byte " << i;
  }
}

TEST_P(AuthenticatedExchange, ReplySignedWithAnotherSecretFails) {
  const auto other = make_key(7, GetParam(), GetParam() == KeyType::aes256 ? 32 : 16, 0x43);
  EXPECT_EQ(accept_reply(signed_reply(request, other), request, at(10), at(10)).error().reason,
            RejectReason::bad_mac);
}

INSTANTIATE_TEST_SUITE_P(EveryKeyType, AuthenticatedExchange,
                         ::testing::Values(KeyType::md5, KeyType::sha1, KeyType::sha256,
                                           KeyType::sha384, KeyType::sha512, KeyType::aes128,
                                           KeyType::aes256, KeyType::hmac_sha256),
                         [](const auto& param_info) {
                           auto text = std::string(name(param_info.param));
                           std::erase(text, '-');
                           return text;
                         });

TEST(AuthenticatedExchangeNak, CryptoNakIsAnAuthenticationFailure) {
  testing::CountingRandom random;
  const auto key = make_key(3, KeyType::sha1, 20, 0x11);
  const auto request = make_request(random, key);
  std::array<std::byte, kMaxRequestSize> buffer{};
  serialize(server_header(request, at(10), at(10)), buffer);
  const auto size = append_crypto_nak(buffer, kHeaderSize);
  const auto r = accept_reply(std::span(buffer).first(size), request, at(10), at(10));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, RejectReason::crypto_nak);
}

TEST(AuthenticatedExchangeNak, UnauthenticatedRequestIgnoresAReplyMac) {
  testing::CountingRandom random;
  const auto request = make_request(random);
  const auto reply = signed_reply(request, make_key(3, KeyType::sha1, 20, 0x11));
  const auto sample = accept_reply(reply, request, at(10), at(10.0003)).value();
  EXPECT_FALSE(sample.authenticated);
}

}  // namespace
}  // namespace cw::ntp
