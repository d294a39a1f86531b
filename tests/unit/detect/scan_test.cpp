// Unit tests for the port scan detector (Threshold Random Walk + the seed's threshold) through
// NetworkDetectors: literal packets at literal times.
#include <gtest/gtest.h>

#include "harness.h"

namespace cw::detect {
namespace {
using namespace test;
using events::EventType;
using namespace tcp_flag;

// SYN from the scanner, RST|ACK from the target: a failed first contact.
void refused(Harness& h, const char* src, const char* dst, std::uint16_t port, double t) {
  h.send(tcp4(src, dst, 40000, port, syn), t);
  h.send(tcp4(dst, src, port, 40000, rst | ack), t + 0.0001);
}
void connected(Harness& h, const char* src, const char* dst, std::uint16_t sport,
               std::uint16_t port, double t) {
  h.send(tcp4(src, dst, sport, port, syn), t);
  h.send(tcp4(dst, src, port, sport, syn | ack), t + 0.0001);
  h.send(tcp4(src, dst, sport, port, ack), t + 0.0002);
}

TEST(PortScan, FourFailedFirstContactsDecideAScannerByTrw) {
  Harness h;
  for (std::uint16_t port = 1; port <= 100; ++port)
    refused(h, "10.0.0.1", "10.0.0.2", port, port * 0.001);
  EXPECT_TRUE(h.events.empty()) << "reported while the scan goes on";
  h.detectors.flush();
  ASSERT_EQ(h.events.size(), 1u);
  EXPECT_EQ(h.events[0].type, EventType::port_scan);
  EXPECT_EQ(h.net(0).source, ip("10.0.0.1"));
  EXPECT_EQ(h.net(0).destination, ip("10.0.0.2"));
  EXPECT_EQ(h.net(0).count, 100u);
  EXPECT_EQ(h.net(0).ports.size(), 16u);
  EXPECT_EQ(h.attribute(0, "probes_to_decide"), 4);         // 4^4 = 256 ≥ β/α = 99 > 4^3
  EXPECT_EQ(h.events[0].severity, events::Severity::high);  // port 22 was hit
}

TEST(PortScan, SuccessfulContactsAreBenignAndNothingIsReported) {
  Harness h;
  for (std::uint16_t i = 0; i < 30; ++i)
    connected(h, "10.0.0.1", "10.0.0.2", std::uint16_t(40000 + i), 8080, i * 0.1);
  refused(h, "10.0.0.1", "10.0.0.3", 9999, 4.0);
  h.detectors.flush();
  EXPECT_TRUE(h.events.empty());
}

TEST(PortScan, OnePortOverManyHostsIsAnAddressScan) {
  Harness h;
  for (int host = 1; host <= 14; ++host) {
    const std::string dst = "10.0.1." + std::to_string(host);
    refused(h, "10.0.0.9", dst.c_str(), 502, host * 0.01);
  }
  h.detectors.advance(at(30));  // idle for longer than attack_idle: the scan has ended
  ASSERT_EQ(h.events.size(), 1u);
  EXPECT_EQ(h.events[0].type, EventType::address_scan);
  EXPECT_FALSE(h.net(0).destination.has_value());
  EXPECT_EQ(h.net(0).ports, std::vector<std::uint16_t>{502});
}

TEST(PortScan, UnansweredProbesFailAfterTheTimeout) {
  Harness h;
  for (std::uint16_t port = 1; port <= 6; ++port)
    h.send(tcp4("10.0.0.1", "10.0.0.2", 40000, port, syn), port * 0.01);
  h.detectors.advance(at(4));   // probes time out (3 s): the walk decides
  h.detectors.advance(at(20));  // and the scan ends
  ASSERT_EQ(h.count(EventType::port_scan), 1u);
}

TEST(PortScan, UdpScanAnsweredByIcmpUnreachable) {
  Harness h;
  for (std::uint16_t port = 200; port < 210; ++port) {
    h.send(udp4("10.0.0.1", "10.0.0.2", 50000, port), port * 0.01);
    h.send(icmp_unreachable4("10.0.0.2", "10.0.0.1", "10.0.0.2", 50000, port), port * 0.01 + 0.001);
  }
  h.detectors.flush();
  ASSERT_EQ(h.count(EventType::port_scan), 1u);
  EXPECT_EQ(h.attribute(0, "failures"), 10);
}

TEST(PortScan, SeedThresholdOfDistinctPortsIsASecondSignal) {
  NetmonConfig config;
  config.port_scan.beta = 0.999999;  // make the walk slow so that the threshold decides first
  config.port_scan.alpha = 1e-9;
  config.port_scan.threshold = 10;
  Harness h(config);
  for (std::uint16_t port = 1; port <= 12; ++port)
    refused(h, "10.0.0.1", "10.0.0.2", port, port * 0.01);
  h.detectors.flush();
  ASSERT_EQ(h.events.size(), 1u);
  const auto& attributes = h.events[0].attributes;
  const auto decided = std::find_if(attributes.begin(), attributes.end(),
                                    [](const auto& a) { return a.key == "decided_by"; });
  ASSERT_NE(decided, attributes.end());
  EXPECT_EQ(std::get<std::string>(decided->value), "threshold");
}

TEST(PortScan, TimeGoingBackwardsIsCountedAndTolerated) {
  Harness h;
  refused(h, "10.0.0.1", "10.0.0.2", 1, 10);
  refused(h, "10.0.0.1", "10.0.0.2", 2, 5);  // an older timestamp
  refused(h, "10.0.0.1", "10.0.0.2", 3, 10.1);
  refused(h, "10.0.0.1", "10.0.0.2", 4, 10.2);
  h.detectors.flush();
  EXPECT_EQ(h.detectors.stats().time_went_backwards, 2u);
  EXPECT_EQ(h.count(EventType::port_scan), 1u);
}

}  // namespace
}  // namespace cw::detect

namespace cw::detect {
namespace {
using namespace test;

// Issue 14: a server answering many clients was reported as a port scan by the server (its
// "ports" being the clients' ephemeral ports). Answers are not probes.
TEST(PortScan, AServerAnsweringManyClientsIsNotAScanner) {
  Harness h;
  for (int round = 0; round < 3; ++round)
    for (int c = 0; c < 40; ++c) {
      const std::string client = "10.0.1." + std::to_string(c + 1);
      const auto port = static_cast<std::uint16_t>(30000 + round * 100 + c);
      const double t = round * 5.0 + c * 0.01;
      h.send(udp4(client.c_str(), "10.0.0.53", port, 53), t);
      h.send(udp4("10.0.0.53", client.c_str(), 53, port), t + 0.001);
    }
  h.detectors.flush();
  EXPECT_TRUE(h.events.empty()) << events::to_string(h.events.front().type);
}

}  // namespace
}  // namespace cw::detect

namespace cw::detect {
namespace {
using namespace test;

std::string text_attribute(const events::Event& e, const std::string& key) {
  for (const auto& a : e.attributes)
    if (a.key == key) return std::get<std::string>(a.value);
  return "";
}

// Issue 14: a scan is reported when TRW decides (the fourth refused probe), updated at most every
// update_interval while it grows, and ended once: one attack id throughout.
TEST(PortScan, ReportedWhenDecidedThenUpdatedThenEndedAsOneAttack) {
  NetmonConfig c;
  c.report_interval = 5s;
  Harness h(c);
  for (std::uint16_t port = 1; port <= 120; ++port)
    h.send(tcp4("10.0.0.1", "10.0.0.2", 40000, port, tcp_flag::syn), port * 0.1),
        h.send(tcp4("10.0.0.2", "10.0.0.1", port, 40000, tcp_flag::rst | tcp_flag::ack),
               port * 0.1 + 0.0001);
  ASSERT_FALSE(h.records.empty());
  EXPECT_EQ(text_attribute(h.records[0], "phase"), "detected");
  EXPECT_EQ(h.records[0].timestamp, at(0.4001));  // the fourth refusal decided it
  EXPECT_EQ(std::get<events::NetworkData>(h.records[0].data).count, 4u);
  h.detectors.flush();
  const auto phases = h.phases();
  ASSERT_GE(phases.size(), 3u);
  EXPECT_EQ(phases.front(), "detected");
  EXPECT_EQ(phases.back(), "ended");
  for (std::size_t i = 1; i + 1 < phases.size(); ++i) EXPECT_EQ(phases[i], "update");
  EXPECT_LE(phases.size(), 2u + 12u / 5u + 1u);  // 12 s of scan: an update every 5 s at most
  const auto id = text_attribute(h.records[0], "attack_id");
  EXPECT_EQ(id.size(), 16u);
  for (const auto& r : h.records) EXPECT_EQ(text_attribute(r, "attack_id"), id);
  ASSERT_EQ(h.events.size(), 1u);  // one ended record per attack
  EXPECT_EQ(h.net(0).count, 120u);
  EXPECT_EQ(h.detectors.stats().detectors.value("port_scan"), 1u);
}

}  // namespace
}  // namespace cw::detect
