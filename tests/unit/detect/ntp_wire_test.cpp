// Unit tests for the NTP-on-the-wire detector (detect/net/ntp): literal NTP datagrams of every
// mode through NetworkDetectors, each kind firing on its packet and nothing on a normal exchange.
#include "detect/net/ntp/ntp_wire.h"

#include <gtest/gtest.h>

#include "harness.h"

namespace cw::detect {
namespace {
using namespace test;
using events::EventType;

constexpr std::uint64_t kEra0 = 2'208'988'800ull;  // NTP seconds at the Unix epoch

// An NTP timestamp for harness time `seconds` plus `skew`.
std::uint64_t ntp_at(double seconds, double skew = 0) {
  const double unix = 1.7e9 + seconds + skew;
  const auto whole = static_cast<std::uint64_t>(unix);
  const auto frac = static_cast<std::uint64_t>((unix - double(whole)) * 4294967296.0);
  return (whole + kEra0) << 32 | frac;
}
void put64(Frame& f, std::uint64_t v) {
  put32(f, static_cast<std::uint32_t>(v >> 32));
  put32(f, static_cast<std::uint32_t>(v));
}

struct Header {
  unsigned li = 0, vn = 4, mode = 3, stratum = 0, poll = 6;
  std::uint32_t refid = 0;
  std::uint64_t origin = 0, receive = 0, transmit = 0;
};
Frame ntp(const Header& h) {
  Frame f;
  put8(f, h.li << 6 | h.vn << 3 | h.mode);
  put8(f, h.stratum);
  put8(f, h.poll);
  put8(f, 0xec);
  put32(f, 0x100);
  put32(f, 0x100);
  put32(f, h.refid);
  put64(f, h.transmit == 0 ? 0 : h.transmit - (std::uint64_t{16} << 32));
  put64(f, h.origin);
  put64(f, h.receive);
  put64(f, h.transmit);
  return f;
}
Frame mode7(bool response, unsigned code, unsigned items = 0, unsigned size = 0) {
  Frame f = bytes({response ? 0xd7u : 0x17u, 0x00, 0x03, code});
  put16(f, items);
  put16(f, size);
  for (unsigned i = 0; i < items * size; ++i) put8(f, 0);
  return f;
}
Frame mode6(bool response, unsigned count = 0) {
  Frame f = bytes({0x16, response ? 0x82u : 0x02u, 0x00, 0x01, 0, 0, 0, 0, 0, 0});
  put16(f, count);
  for (unsigned i = 0; i < count; ++i) put8(f, 'a');
  while (f.size() % 4 != 0) put8(f, 0);
  return f;
}

const char* kClient = "10.0.0.5";
const char* kServer = "10.0.0.1";

// One client/server exchange at `t` with the server's clock `skew` seconds off.
void exchange(Harness& h, double t, double skew = 0, const char* server = kServer,
              const char* client = kClient, unsigned li = 0) {
  const auto tx = ntp_at(t);
  h.send((udp4(client, server, 40000, 123, ntp({.mode = 3, .transmit = tx}))), t);
  h.send((udp4(server, client, 123, 40000,
               ntp({.li = li,
                    .mode = 4,
                    .stratum = 2,
                    .origin = tx,
                    .receive = ntp_at(t + 0.001, skew),
                    .transmit = ntp_at(t + 0.001, skew)}))),
         t + 0.002);
}

std::vector<std::string> ntp_kinds(const Harness& h) {
  std::vector<std::string> kinds;
  for (const auto& e : h.events)
    if (e.type == EventType::ntp_anomaly)
      kinds.push_back(std::get<events::NetworkData>(e.data).kind);
  return kinds;
}

TEST(NtpWire, DecodesEveryModeAndJudgesLayouts) {
  NtpWire w;
  auto b = ntp({.mode = 3, .transmit = 42});
  ASSERT_TRUE(decode_ntp_wire(b, w));
  EXPECT_EQ(w.mode, 3);
  EXPECT_EQ(w.transmit, 42u);
  EXPECT_EQ(w.layout, NtpLayout::standard);
  put32(b, 7);  // key id + MD5 digest: a MAC
  for (int i = 0; i < 16; ++i) put8(b, 0xaa);
  ASSERT_TRUE(decode_ntp_wire(b, w));
  EXPECT_TRUE(w.has_mac);
  EXPECT_EQ(w.layout, NtpLayout::standard);
  put8(b, 1);  // 69 bytes: nothing explains it
  ASSERT_TRUE(decode_ntp_wire(b, w));
  EXPECT_EQ(w.layout, NtpLayout::bad_extension);
  auto ef = ntp({.mode = 3});
  put16(ef, 0x0104);  // NTS unique identifier, 36 bytes (RFC 8915 §5.3)
  put16(ef, 36);
  for (int i = 0; i < 32; ++i) put8(ef, i);
  ASSERT_TRUE(decode_ntp_wire(ef, w));
  EXPECT_EQ(w.layout, NtpLayout::standard);
  EXPECT_EQ(w.extension_fields, 1);
  ASSERT_TRUE(decode_ntp_wire(mode7(false, 42), w));
  EXPECT_TRUE(w.monlist());
  EXPECT_FALSE(w.response);
  ASSERT_TRUE(decode_ntp_wire(mode7(true, 42, 6, 72), w));
  EXPECT_TRUE(w.response);
  EXPECT_EQ(w.items, 6);
  const auto cut = mode7(true, 42, 6, 72);
  ASSERT_TRUE(decode_ntp_wire(std::span{cut}.subspan(0, 100), w));
  EXPECT_EQ(w.layout, NtpLayout::bad_private_len);
  ASSERT_TRUE(decode_ntp_wire(mode6(false), w));
  EXPECT_EQ(w.mode, 6);
  EXPECT_EQ(w.opcode, 2);
  EXPECT_EQ(w.sequence, 1);
  EXPECT_FALSE(decode_ntp_wire({}, w));
  ASSERT_TRUE(decode_ntp_wire(bytes({0x3b}), w));  // version 7
  EXPECT_EQ(w.layout, NtpLayout::bad_version);
}

TEST(NtpDetector, NormalSyncWithSeveralServersFiresNothing) {
  Harness h;
  for (int i = 0; i < 50; ++i) {
    exchange(h, i * 16.0, 0.0, "10.0.0.1");
    exchange(h, i * 16.0 + 1, 0.002, "10.0.0.2");
    exchange(h, i * 16.0 + 2, -0.003, "10.0.0.3");
  }
  h.detectors.flush();
  EXPECT_EQ(h.events.size(), 0u) << ntp_kinds(h).front();
  EXPECT_EQ(h.detectors.stats().detectors.value("ntp_datagrams"), 300u);
}

TEST(NtpDetector, Mode7MonlistIsHighAndOncePerWindow) {
  Harness h;
  for (int i = 0; i < 20; ++i)
    h.send((udp4("10.0.0.66", kServer, 50000, 123, mode7(false, 42))), 1 + i * 0.1);
  ASSERT_EQ(ntp_kinds(h), std::vector<std::string>{"mode7_request"});
  EXPECT_EQ(h.events[0].severity, events::Severity::high);
  EXPECT_EQ(h.attribute(0, "request_code"), 42);
}

TEST(NtpDetector, Mode7ResponderAndReflectionAtAVictim) {
  Harness h;
  h.send((udp4("10.0.0.9", kClient, 123, 123, ntp({.mode = 3}))), 0);  // warm up
  // Spoofed monlist requests made three reflectors answer a victim that never asked, at port 80.
  for (int r = 0; r < 3; ++r)
    for (int i = 0; i < 5; ++i) {
      const std::string reflector = "10.0.1." + std::to_string(r + 1);
      h.send((udp4(reflector.c_str(), "10.0.0.77", 123, 80, mode7(true, 42, 6, 72))),
             5 + r + i * 0.01);
    }
  const auto kinds = ntp_kinds(h);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "mode7_responder"), 3);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "amplification"), 1);  // one attack, one event
  for (std::size_t i = 0; i < h.events.size(); ++i)
    if (h.net(i).kind == "amplification") {
      EXPECT_EQ(*h.net(i).destination, ip("10.0.0.77"));
    }
}

TEST(NtpDetector, ControlQueryFromAdminIsQuietFromOthersReported) {
  NetmonConfig c;
  c.ntp.admin_hosts.push_back(*IpPrefix::parse("10.0.0.5"));
  Harness h(c);
  h.send((udp4(kClient, kServer, 41000, 123, mode6(false))), 1);
  h.send((udp4(kServer, kClient, 123, 41000, mode6(true, 300))), 1.001);
  EXPECT_TRUE(h.events.empty());
  h.send((udp4("10.0.0.8", kServer, 41000, 123, mode6(false))), 2);
  h.send((udp4(kServer, "10.0.0.8", 123, 41000, mode6(true, 300))), 2.001);
  EXPECT_EQ(ntp_kinds(h), std::vector<std::string>{"control_query"});
}

TEST(NtpDetector, RogueServerOncePerHour) {
  NetmonConfig c;
  c.ntp.allowed_servers.push_back(*IpPrefix::parse("10.0.0.1"));
  Harness h(c);
  exchange(h, 1, 0, "10.0.0.1");
  for (int i = 0; i < 5; ++i) exchange(h, 2 + i * 64, 0, "10.0.0.99");
  EXPECT_EQ(ntp_kinds(h), std::vector<std::string>{"rogue_server"});
  EXPECT_EQ(h.net(0).source, ip("10.0.0.99"));
}

TEST(NtpDetector, SpoofedRepliesAndKissOfDeath) {
  Harness h;
  exchange(h, 1);  // the pair is known
  const auto tx = ntp_at(10);
  h.send((udp4(kClient, kServer, 40000, 123, ntp({.mode = 3, .transmit = tx}))), 10);
  // An off-path reply with a guessed origin, and a KoD that matches no request.
  h.send((udp4(kServer, kClient, 123, 40000,
               ntp({.mode = 4, .stratum = 2, .origin = 12345, .transmit = ntp_at(10)}))),
         10.001);
  h.send((udp4(kServer, kClient, 123, 40000,
               ntp({.mode = 4, .stratum = 0, .refid = 0x52415445, .origin = 999}))),
         10.002);
  // The real answer still matches.
  h.send((udp4(kServer, kClient, 123, 40000,
               ntp({.mode = 4, .stratum = 2, .origin = tx, .transmit = ntp_at(10)}))),
         10.003);
  EXPECT_EQ(ntp_kinds(h), (std::vector<std::string>{"unsolicited_reply", "kod_spoofed"}));
}

TEST(NtpDetector, KodStormAtOneClient) {
  Harness h;
  for (int i = 0; i < 6; ++i) {
    const auto tx = ntp_at(i);
    h.send((udp4(kClient, kServer, 40000, 123, ntp({.mode = 3, .transmit = tx}))), i);
    h.send((udp4(kServer, kClient, 123, 40000,
                 ntp({.mode = 4, .stratum = 0, .refid = 0x52415445, .origin = tx}))),
           i + 0.001);
  }
  EXPECT_EQ(ntp_kinds(h), std::vector<std::string>{"kod_storm"});
}

TEST(NtpDetector, AnUnsynchronizedServersInitRepliesAreNotKissesOfDeath) {
  Harness h;
  for (int i = 0; i < 8; ++i) {  // ntpd before it has a source: LI 3, stratum 0, refid INIT
    const auto tx = ntp_at(i);
    h.send((udp4(kClient, kServer, 40000, 123, ntp({.mode = 3, .transmit = tx}))), i);
    h.send((udp4(kServer, kClient, 123, 40000,
                 ntp({.li = 3, .mode = 4, .stratum = 0, .refid = 0x494e4954, .origin = tx}))),
           i + 0.001);
  }
  EXPECT_TRUE(h.events.empty()) << ntp_kinds(h).front();
}

TEST(NtpDetector, TimeShiftJumpAndDisagreementButNotTheLeapSecond) {
  Harness h;
  for (int i = 0; i < 4; ++i) {
    exchange(h, i * 16.0, 0.0, "10.0.0.1");
    exchange(h, i * 16.0 + 1, 0.0, "10.0.0.2");
    exchange(h, i * 16.0 + 2, 0.0, "10.0.0.3");
  }
  EXPECT_TRUE(h.events.empty());
  exchange(h, 100, 3600, "10.0.0.3");  // one server an hour ahead
  const auto kinds = ntp_kinds(h);
  ASSERT_EQ(kinds, std::vector<std::string>{"time_shift"});  // one event: a jump (and disagrees)
  EXPECT_EQ(h.net(0).source, ip("10.0.0.3"));
  exchange(h, 101, 3600, "10.0.0.3");  // still ahead: no new jump, and de-duplicated
  EXPECT_EQ(h.events.size(), 1u);
}

TEST(NtpDetector, OneFalsetickerAmongThreeIsTheOneAccused) {
  Harness h;
  for (int i = 0; i < 4; ++i) {
    exchange(h, i * 16.0, 0.0, "10.0.0.1");
    exchange(h, i * 16.0 + 1, 5.0, "10.0.0.2");  // faketime +5 s from its start
    exchange(h, i * 16.0 + 2, 0.001, "10.0.0.3");
  }
  ASSERT_EQ(ntp_kinds(h), std::vector<std::string>{"time_shift"});
  EXPECT_EQ(h.net(0).source, ip("10.0.0.2"));
}

TEST(NtpDetector, AnAnnouncedLeapSecondAndItsLateCorrectionAreNotAShift) {
  Harness h;
  for (int i = 0; i < 10; ++i) exchange(h, i, -3.0, kServer, kClient, 1);  // LI 1: insert
  for (int i = 10; i < 15; ++i) exchange(h, i, -4.0);                      // inserted
  for (int i = 15; i < 20; ++i) exchange(h, i, -3.0);                      // corrected back
  EXPECT_EQ(h.events.size(), 0u) << ntp_kinds(h).front();
  exchange(h, 200000, -4.0);  // a day and more after the announcement: a shift
  EXPECT_EQ(ntp_kinds(h), std::vector<std::string>{"time_shift"});
}

TEST(NtpDetector, ScannerProbeAndNonstandardPacket) {
  Harness h;
  Frame probe = bytes({0xe3, 0x00, 0x04, 0xfa, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01});
  while (probe.size() < 40) put8(probe, 0);
  put64(probe, 0xc54f234b71b152f3ull);
  h.send((udp4("10.0.0.66", kServer, 55555, 123, probe)), 1);
  auto odd = ntp({.mode = 3, .transmit = 5});
  for (int i = 0; i < 9; ++i) put8(odd, 0x41);
  h.send((udp4("10.0.0.67", kServer, 55555, 123, odd)), 2);
  EXPECT_EQ(ntp_kinds(h), (std::vector<std::string>{"scanner_probe", "nonstandard_packet"}));
}

TEST(NtpDetector, MemoryStaysBoundedUnderAMillionReflectors) {
  NetmonConfig c;
  c.ntp.max_pairs = 64;
  c.ntp.max_victims = 16;
  c.ntp.max_reports = 64;
  Harness h(c);
  for (int i = 0; i < 20000; ++i) {
    const std::string reflector =
        "172.16." + std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255);
    h.send((udp4(reflector.c_str(), "10.0.0.77", 123, 80, mode7(true, 42, 6, 72))), 5 + i * 0.0001);
  }
  EXPECT_GT(h.detectors.stats().detectors.table_evictions, 1000u);
  EXPECT_LE(h.events.size(), 101u);  // capped per kind and window, not one per source
  EXPECT_GT(h.detectors.stats().detectors.value("ntp_suppressed"), 19000u);
}

}  // namespace
}  // namespace cw::detect
