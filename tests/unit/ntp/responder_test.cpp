// tests/unit/ntp/responder_test.cpp — the server's answer, field by field per RFC 5905 §7.3/§9.2,
// with literal timestamps: what is answered, what is ignored and why, KoD, no amplification.
#include "ntp/responder.h"

#include <gtest/gtest.h>

#include <vector>

#include "ntp/key_file.h"
#include "ntp/mac.h"

namespace cw::ntp {
namespace {

using namespace std::chrono_literals;

const Timestamp kT2 = from_unix_ns(1'763'800'000'123'456'789);
const IpAddress kClient = *IpAddress::parse("192.0.2.10");
constexpr NtpTimestamp kClientTransmit{0x12345678'9abcdef0};

Packet client_request(std::uint8_t version = 4, std::int8_t poll = 6) {
  Packet p;
  p.version = version;
  p.mode = Mode::client;
  p.poll = PollInterval{poll};
  p.transmit_time = kClientTransmit;
  return p;
}

std::vector<std::byte> wire(const Packet& p, std::size_t extra = 0) {
  std::vector<std::byte> out(kHeaderSize + extra);
  serialize(p, out);
  return out;
}

ServerState synced() {
  UpstreamView up;
  up.address = *IpAddress::parse("192.0.2.1");
  up.stratum = Stratum{2};
  up.root_delay = 10ms;
  up.root_dispersion = 5ms;
  up.delay = 2ms;
  up.dispersion = 1ms;
  up.updated_at = kT2 - 1000s;
  return synchronized_state(up, Precision{-23});
}

struct Answer {
  Reply reply;
  Packet header;
};

Answer ask(Responder& r, const std::vector<std::byte>& request, const ServerState& state,
           Timestamp t2 = kT2, const IpAddress& client = kClient) {
  std::array<std::byte, 2048> out{};
  Reply reply = r.respond(request, client, t2, state, out);
  if (reply.size == 0) return {reply, {}};
  r.seal(reply, out, t2 + 3us);
  return {reply, parse_header(std::span{out}.first(reply.size)).value()};
}

TEST(Responder, AnswersAClientRequestFieldByField) {
  Responder r({}, 1);
  const auto a = ask(r, wire(client_request()), synced());
  ASSERT_EQ(a.reply.outcome, Outcome::answered);
  EXPECT_EQ(a.reply.size, kHeaderSize);
  const Packet& p = a.header;
  EXPECT_EQ(p.mode, Mode::server);
  EXPECT_EQ(p.version, 4);
  EXPECT_EQ(p.leap, LeapIndicator::no_warning);
  EXPECT_EQ(p.stratum.value, 3);                           // upstream + 1
  EXPECT_EQ(p.reference_id, RefId::from_u32(0xc0000201));  // 192.0.2.1
  EXPECT_EQ(p.poll.log2_seconds, 6);                       // echoed
  EXPECT_EQ(p.precision.log2_seconds, -23);
  EXPECT_EQ(p.origin_time, kClientTransmit);                  // the client's transmit
  EXPECT_EQ(p.receive_time, NtpTimestamp::from(kT2));         // T2
  EXPECT_EQ(p.transmit_time, NtpTimestamp::from(kT2 + 3us));  // T3 from seal()
  EXPECT_EQ(p.reference_time, NtpTimestamp::from(kT2 - 1000s));
  EXPECT_NEAR(to_seconds(p.root_delay.to_duration()), 0.012, 1e-4);  // 10 ms + 2 ms
  // 5 ms + 1 ms + precision (~0.1 µs) + 15 ppm × 1000 s = 21 ms
  EXPECT_NEAR(to_seconds(p.root_dispersion.to_duration()), 0.021, 1e-4);
}

TEST(Responder, RootDispersionGrowsWithTimeSinceUpdate) {
  Responder r({}, 1);
  const auto early = ask(r, wire(client_request()), synced(), kT2);
  const auto late = ask(r, wire(client_request()), synced(), kT2 + 10'000s);
  EXPECT_NEAR(to_seconds(late.header.root_dispersion.to_duration() -
                         early.header.root_dispersion.to_duration()),
              0.150, 1e-4);  // 15 ppm × 10 000 s
}

TEST(Responder, EchoesVersionAndClampsPoll) {
  Responder r({}, 1);
  EXPECT_EQ(ask(r, wire(client_request(3, 0)), synced()).header.version, 3);
  EXPECT_EQ(ask(r, wire(client_request(3, 0)), synced()).header.poll.log2_seconds, 4);
  EXPECT_EQ(ask(r, wire(client_request(4, 30)), synced()).header.poll.log2_seconds, 17);
  EXPECT_EQ(ask(r, wire(client_request(4, -5)), synced()).header.poll.log2_seconds, 4);
}

TEST(Responder, UnsynchronizedWithoutLocalStratum) {
  Responder r({}, 1);
  const auto a = ask(r, wire(client_request()), unsynchronized_state(Precision{-20}));
  ASSERT_EQ(a.reply.outcome, Outcome::answered);
  EXPECT_EQ(a.header.leap, LeapIndicator::unsynchronized);
  EXPECT_EQ(a.header.stratum.value, 0);  // 16 goes on the wire as 0 (RFC 5905 A.5.1.1)
  EXPECT_EQ(a.header.reference_id, RefId{});
  EXPECT_TRUE(a.header.reference_time.is_zero());
}

TEST(Responder, LocalStratumServesLocl) {
  Responder r({}, 1);
  const auto a = ask(r, wire(client_request()), local_state(5, Precision{-20}, kT2));
  EXPECT_EQ(a.header.leap, LeapIndicator::no_warning);
  EXPECT_EQ(a.header.stratum.value, 5);
  EXPECT_EQ(a.header.reference_id, RefId::from_ascii("LOCL"));
}

TEST(Responder, Ipv6UpstreamRefidIsTheMd5Hash) {
  // RFC 5905 §7.3: the first four octets of the MD5 of the IPv6 address's 16 bytes.
  const RefId id = refid_for(*IpAddress::parse("2001:db8::1"));
  EXPECT_NE(id, RefId{});
  EXPECT_NE(id, refid_for(*IpAddress::parse("2001:db8::2")));
  // python3 -c "import hashlib; print(hashlib.md5(bytes(15) + b'\x01').hexdigest()[:8])"
  EXPECT_EQ(refid_for(*IpAddress::parse("::1")).u32(), 0xcf404dc8u);
}

TEST(Responder, IgnoresEverythingButClientMode) {
  Responder r({}, 1);
  for (Mode m : {Mode::reserved, Mode::symmetric_active, Mode::symmetric_passive, Mode::server,
                 Mode::broadcast, Mode::control, Mode::private_use}) {
    Packet p = client_request();
    p.mode = m;
    const auto a = ask(r, wire(p), synced());
    EXPECT_EQ(a.reply.outcome, Outcome::ignored_not_client) << static_cast<int>(m);
    EXPECT_EQ(a.reply.size, 0u);
  }
}

TEST(Responder, IgnoresMalformedDatagrams) {
  Responder r({}, 1);
  EXPECT_EQ(ask(r, std::vector<std::byte>(47), synced()).reply.outcome, Outcome::ignored_malformed);
  EXPECT_EQ(ask(r, {}, synced()).reply.outcome, Outcome::ignored_malformed);
  auto bad_version = wire(client_request());
  bad_version[0] = std::byte{0x03};  // version 0, mode 3
  EXPECT_EQ(ask(r, bad_version, synced()).reply.outcome, Outcome::ignored_malformed);
  auto odd_trailer = wire(client_request(), 7);
  EXPECT_EQ(ask(r, odd_trailer, synced()).reply.outcome, Outcome::ignored_malformed);
}

TEST(Responder, ExtensionFieldsAreNotEchoedSoTheReplyIsSmaller) {
  Responder r({}, 1);
  auto request = wire(client_request(), 28);
  request[kHeaderSize + 0] = std::byte{0x02};  // an unknown extension field type 0x0204
  request[kHeaderSize + 1] = std::byte{0x04};
  request[kHeaderSize + 3] = std::byte{28};  // length 28
  const auto a = ask(r, request, synced());
  EXPECT_EQ(a.reply.outcome, Outcome::answered);
  EXPECT_LE(a.reply.size, request.size());
}

TEST(Responder, AccessListDeniesSilently) {
  ResponderConfig config;
  config.access.deny(*IpPrefix::parse("192.0.2.0/24"));
  Responder r(config, 1);
  EXPECT_EQ(ask(r, wire(client_request()), synced()).reply.outcome, Outcome::ignored_denied);
  EXPECT_EQ(ask(r, wire(client_request()), synced(), kT2, *IpAddress::parse("198.51.100.1"))
                .reply.outcome,
            Outcome::answered);
}

TEST(Responder, RateLimitSendsOneKissOfDeathWithoutTimeThenDrops) {
  ResponderConfig config;
  config.rate_limit.interval = 1s;
  config.rate_limit.burst = 2;
  Responder r(config, 1);
  const auto request = wire(client_request());
  EXPECT_EQ(ask(r, request, synced()).reply.outcome, Outcome::answered);
  EXPECT_EQ(ask(r, request, synced()).reply.outcome, Outcome::answered);
  const auto kod = ask(r, request, synced());
  ASSERT_EQ(kod.reply.outcome, Outcome::kiss_rate);
  EXPECT_EQ(kod.header.stratum.value, 0);
  EXPECT_EQ(kod.header.reference_id, RefId::from_ascii("RATE"));
  EXPECT_EQ(kod.header.origin_time, kClientTransmit);
  EXPECT_EQ(kod.header.transmit_time, kClientTransmit);  // no time given away
  EXPECT_EQ(kod.header.receive_time, kClientTransmit);
  EXPECT_EQ(ask(r, request, synced()).reply.outcome, Outcome::ignored_rate_limited);
  // Another client is not affected.
  EXPECT_EQ(ask(r, request, synced(), kT2, *IpAddress::parse("192.0.2.11")).reply.outcome,
            Outcome::answered);
}

TEST(Responder, RequireAuthGivesNoTimeToUnauthenticatedRequests) {
  ResponderConfig config;
  config.require_auth = true;
  Responder r(config, 1);
  EXPECT_EQ(ask(r, wire(client_request()), synced()).reply.outcome,
            Outcome::ignored_unauthenticated);
}

std::shared_ptr<const KeyStore> test_keys() {
  return std::make_shared<const KeyStore>(
      parse_key_file("1 SHA1 HEX:00112233445566778899aabbccddeeff00112233\n"
                     "2 AES128 HEX:000102030405060708090a0b0c0d0e0f\n"
                     "3 SHA512 ASCII:longsecret\n")
          .value());
}

std::vector<std::byte> signed_request(const KeyStore& keys, std::uint32_t id,
                                      std::uint8_t version = 4) {
  std::vector<std::byte> buffer(kHeaderSize + 4 + kMaxDigestSize);
  serialize(client_request(version), buffer);
  const auto size = append_mac(*keys.find(KeyId{id}), buffer, kHeaderSize);
  buffer.resize(size);
  return buffer;
}

TEST(Responder, AuthenticatedRequestGetsAMacOfTheSameKey) {
  ResponderConfig config;
  config.keys = test_keys();
  Responder r(config, 1);
  for (std::uint32_t id : {1u, 2u, 3u}) {
    const auto request = signed_request(*config.keys, id);
    std::array<std::byte, 2048> out{};
    const Reply reply = r.respond(request, kClient, kT2, synced(), out);
    ASSERT_EQ(reply.outcome, Outcome::answered_authenticated) << id;
    r.seal(reply, out, kT2 + 3us);
    EXPECT_LE(reply.size, request.size());
    const auto parsed = parse(std::span{out}.first(reply.size)).value();
    ASSERT_TRUE(parsed.mac) << id;
    EXPECT_EQ(parsed.mac->key_id.value, id);
    const auto checked = check_mac(parsed, *config.keys->find(KeyId{id}));
    EXPECT_TRUE(checked.has_value()) << id;  // the MAC covers the final T3
    EXPECT_EQ(parsed.header.transmit_time, NtpTimestamp::from(kT2 + 3us));
    EXPECT_EQ(parsed.header.origin_time, kClientTransmit);
  }
}

TEST(Responder, UnknownKeyOrBadMacGetsACryptoNakWithoutTime) {
  ResponderConfig config;
  config.keys = test_keys();
  Responder r(config, 1);
  auto wrong_id = signed_request(*config.keys, 1);
  wrong_id[kHeaderSize + 3] = std::byte{9};  // key id 9: unknown
  auto tampered = signed_request(*config.keys, 2);
  tampered.back() ^= std::byte{1};
  for (const auto& request : {wrong_id, tampered}) {
    const auto a = ask(r, request, synced());
    ASSERT_EQ(a.reply.outcome, Outcome::crypto_nak);
    EXPECT_EQ(a.reply.size, kHeaderSize + 4);
    EXPECT_EQ(a.header.origin_time, kClientTransmit);
    EXPECT_EQ(a.header.transmit_time, kClientTransmit);  // no time
    std::array<std::byte, 2048> out{};
    const Reply reply = r.respond(request, kClient, kT2, synced(), out);
    EXPECT_TRUE(parse(std::span{out}.first(reply.size)).value().mac->is_crypto_nak());
  }
}

TEST(Responder, MacWithoutAnyKeysConfiguredIsACryptoNak) {
  Responder r({}, 1);
  EXPECT_EQ(ask(r, signed_request(*test_keys(), 1), synced()).reply.outcome, Outcome::crypto_nak);
}

TEST(Responder, ReplacedKeysAreTheOnlyOnesAccepted) {
  Responder r({}, 1);
  const auto keys = test_keys();
  r.set_symmetric_keys(keys);  // a reloaded key file
  EXPECT_EQ(r.symmetric_keys(), keys);
  EXPECT_EQ(ask(r, signed_request(*keys, 2), synced()).reply.outcome,
            Outcome::answered_authenticated);
  r.set_symmetric_keys(std::make_shared<const KeyStore>());
  EXPECT_EQ(ask(r, signed_request(*keys, 2), synced()).reply.outcome, Outcome::crypto_nak);
}

TEST(Responder, RequireAuthServesSignedRequests) {
  ResponderConfig config;
  config.keys = test_keys();
  config.require_auth = true;
  Responder r(config, 1);
  EXPECT_EQ(ask(r, signed_request(*config.keys, 2), synced()).reply.outcome,
            Outcome::answered_authenticated);
  EXPECT_EQ(ask(r, wire(client_request()), synced()).reply.outcome,
            Outcome::ignored_unauthenticated);
}

TEST(Responder, NtpV3LongMacIsAnsweredWithTheWholeDigest) {
  ResponderConfig config;
  config.keys = test_keys();
  Responder r(config, 1);
  const auto request = signed_request(*config.keys, 3, 3);  // SHA512, 64-byte digest in NTPv3
  ASSERT_EQ(request.size(), kHeaderSize + 4 + 64);
  const auto a = ask(r, request, synced());
  EXPECT_EQ(a.reply.outcome, Outcome::answered_authenticated);
  EXPECT_EQ(a.reply.size, request.size());
}

TEST(Responder, NeverWritesPastASmallBuffer) {
  Responder r({}, 1);
  std::array<std::byte, 20> tiny{};
  const auto request = wire(client_request());
  const Reply reply = r.respond(request, kClient, kT2, synced(), tiny);
  EXPECT_EQ(reply.size, 0u);
  EXPECT_EQ(reply.outcome, Outcome::ignored_too_large);
}

}  // namespace
}  // namespace cw::ntp
