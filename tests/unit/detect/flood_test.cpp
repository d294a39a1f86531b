// Unit tests for the SYN flood (CUSUM) and connection flood detectors, and for bounded memory
// under a spoofed flood.
#include <gtest/gtest.h>

#include "harness.h"

namespace cw::detect {
namespace {
using namespace test;
using events::EventType;
using namespace tcp_flag;

std::string spoofed(int i) {
  return "172.16." + std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255);
}

// 2000 SYNs at 10.0.0.2:port from as many spoofed sources, each answered with `answer`.
void spoofed_syns(Harness& h, std::uint16_t port, std::uint8_t answer) {
  for (int i = 0; i < 2000; ++i) {
    const auto src = spoofed(i);
    h.send(tcp4(src.c_str(), "10.0.0.2", std::uint16_t(1024 + i), port, syn), i * 0.001);
    h.send(tcp4("10.0.0.2", src.c_str(), port, std::uint16_t(1024 + i), answer),
           i * 0.001 + 0.00001);
  }
  h.detectors.advance(at(30));
}

TEST(SynFlood, SpoofedSynsWithoutCompletionAlarmOncePerDestination) {
  Harness h;
  spoofed_syns(h, 80, syn | ack);
  ASSERT_EQ(h.count(EventType::syn_flood), 1u);
  const auto& flood = h.net(0);
  EXPECT_EQ(flood.destination, ip("10.0.0.2"));
  EXPECT_EQ(flood.ports, std::vector<std::uint16_t>{80});
  EXPECT_EQ(flood.count, 2000u);
  EXPECT_GT(h.attribute(0, "distinct_sources"), 500);
  EXPECT_EQ(h.count(EventType::port_scan), 0u);  // one SYN per source is not a scan
}

TEST(SynFlood, SpoofedSynsAtAClosedPortAnsweredByResetsAlarm) {
  Harness h;
  spoofed_syns(h, 81, rst | ack);  // hping3 -S --rand-source at a port nobody listens on
  ASSERT_EQ(h.count(EventType::syn_flood), 1u);
  EXPECT_EQ(h.net(0).ports, std::vector<std::uint16_t>{81});
  EXPECT_EQ(h.count(EventType::port_scan), 0u);
}

TEST(SynFlood, AFastScanFromOneSourceIsOnePortScanNotAFlood) {
  Harness h;
  for (int i = 0; i < 3000; ++i) {  // nmap -T5 -p1-3000: SYNs at 3000/s, closed ports reset
    const auto port = std::uint16_t(1 + i);
    h.send(tcp4("10.0.0.9", "10.0.0.2", 40000, port, syn), i * 0.0003);
    h.send(tcp4("10.0.0.2", "10.0.0.9", port, 40000, rst | ack), i * 0.0003 + 0.00001);
  }
  h.detectors.advance(at(30));
  EXPECT_EQ(h.count(EventType::syn_flood), 0u);
  EXPECT_GE(h.count(EventType::port_scan), 1u);
}

TEST(SynFlood, BusyButHealthyServerDoesNotAlarm) {
  Harness h;
  for (int i = 0; i < 3000; ++i) {  // 300 handshakes per second, all completed
    const auto src = spoofed(i % 50);
    const auto sport = std::uint16_t(2000 + i);
    const double t = i / 300.0;
    h.send(tcp4(src.c_str(), "10.0.0.2", sport, 443, syn), t);
    h.send(tcp4("10.0.0.2", src.c_str(), 443, sport, syn | ack), t + 0.0001);
    h.send(tcp4(src.c_str(), "10.0.0.2", sport, 443, ack), t + 0.0002);
  }
  h.detectors.flush();
  EXPECT_EQ(h.count(EventType::syn_flood), 0u);
}

void connection(Harness& h, const char* src, std::uint16_t sport, double t) {
  h.send(tcp4(src, "10.0.0.2", sport, 8080, syn), t);
  h.send(tcp4("10.0.0.2", src, 8080, sport, syn | ack), t + 0.0001);
  h.send(tcp4(src, "10.0.0.2", sport, 8080, ack), t + 0.0002);
  h.send(tcp4(src, "10.0.0.2", sport, 8080, fin | ack), t + 0.0003);
}

TEST(ConnectionFlood, CountsConnectionsNotPacketsAboveTheSeedLimit) {
  Harness h;
  for (int i = 0; i < 40; ++i) connection(h, "10.0.0.1", std::uint16_t(30000 + i), i * 0.05);
  h.detectors.flush();
  EXPECT_EQ(h.count(EventType::connection_flood), 0u) << "160 packets but 40 connections";
  Harness flood;
  for (int i = 0; i < 200; ++i) connection(flood, "10.0.0.1", std::uint16_t(30000 + i), i * 0.05);
  flood.detectors.flush();
  ASSERT_EQ(flood.count(EventType::connection_flood), 1u);
  EXPECT_EQ(flood.net(0).source, ip("10.0.0.1"));
  EXPECT_GE(flood.net(0).count, 51u);
}

TEST(ConnectionFlood, AdaptiveThresholdFollowsTheBaseline) {
  NetmonConfig config;
  config.connection_flood.max_connections_per_ip = 5;
  config.connection_flood.window = std::chrono::seconds(1);
  config.adaptive.enabled = true;
  config.adaptive.min_samples = 5;
  Harness h(config);
  double t = 0;
  std::uint16_t port = 1000;
  for (int window = 0; window < 20; ++window, t += 1.0)  // a steady 8–12 per second
    for (int i = 0; i < 8 + window % 5; ++i) connection(h, "10.0.0.1", port++, t + i * 0.01);
  h.detectors.flush();
  EXPECT_EQ(h.count(EventType::connection_flood), 1u)
      << "the first windows, before the baseline is trusted";
}

TEST(Memory, SpoofedFloodStaysWithinTheConfiguredTables) {
  NetmonConfig config;
  config.port_scan.max_sources = 128;
  config.port_scan.max_probes = 256;
  config.port_scan.max_contacts = 256;
  config.syn_flood.max_destinations = 16;
  Harness h(config);
  for (int i = 0; i < 50000; ++i) {
    const auto src = spoofed(i);
    const auto dst = "10.0." + std::to_string(i % 64) + ".1";
    h.send(tcp4(src.c_str(), dst.c_str(), 1234, 80, syn), i * 0.0001);
  }
  h.detectors.flush();
  const auto stats = h.detectors.stats();
  EXPECT_GT(stats.detectors.value("probe_evictions"), 40000u);
  EXPECT_GT(stats.detectors.table_evictions, 0u);
}

}  // namespace
}  // namespace cw::detect
