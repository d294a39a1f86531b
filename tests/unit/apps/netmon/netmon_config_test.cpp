// Unit tests for apps/netmon_config.h: seed 002's keys read as written, chronowatch's additions,
// and one clear error naming the key for everything wrong.
#include "apps/netmon/netmon_config.h"

#include <gtest/gtest.h>

namespace cw::apps {
namespace {

constexpr const char* kSeed = R"(
agent:
  heartbeat_interval: 30
network_monitor:
  detection:
    max_connections_per_ip: 50
    port_scan_threshold: 10
    suspicious_ports:
      - 22    # SSH
      - 502   # Modbus
      - 3389  # RDP
    scada_ports:
      - 502   # Modbus
      - 2404  # IEC 61850
      - 44818 # EtherNet/IP
    allowlist:
      - {src: 10.0.0.30, dst: 10.0.0.10, port: 22}
      - 10.0.5.0/24
    modbus:
      authorized_masters: [10.0.0.20]
zeromq:
  publisher:
    endpoint: "tcp://localhost:5555"
)";

std::string error_of(const std::string& yaml) {
  try {
    parse_netmon_config(yaml);
  } catch (const NetmonConfigError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(NetmonConfig, ReadsTheSeedKeys) {
  const auto c = parse_netmon_config(kSeed);
  EXPECT_EQ(c.port_scan.threshold, 10u);
  EXPECT_EQ(c.connection_flood.max_connections_per_ip, 50u);
  EXPECT_EQ(c.sensitive.suspicious_ports, (std::vector<std::uint16_t>{22, 502, 3389}));
  EXPECT_EQ(c.sensitive.scada_ports, (std::vector<std::uint16_t>{502, 2404, 44818}));
  ASSERT_EQ(c.sensitive.allowlist.size(), 2u);
  EXPECT_TRUE(c.sensitive.allowlist[0].matches(*IpAddress::parse("10.0.0.30"),
                                               *IpAddress::parse("10.0.0.10"), 22));
  EXPECT_FALSE(c.sensitive.allowlist[0].matches(*IpAddress::parse("10.0.0.30"),
                                                *IpAddress::parse("10.0.0.11"), 22));
  EXPECT_TRUE(c.sensitive.allowlist[1].matches(*IpAddress::parse("10.0.5.9"),
                                               *IpAddress::parse("10.0.0.1"), 3389));
  ASSERT_EQ(c.modbus.authorized_masters.size(), 1u);
  EXPECT_TRUE(c.modbus.authorized_masters[0].contains(*IpAddress::parse("10.0.0.20")));
}

TEST(NetmonConfig, AdditionsAndDefaults) {
  EXPECT_EQ(parse_netmon_config("").port_scan.threshold, 10u);
  const auto c = parse_netmon_config(
      "network_monitor:\n  detection:\n    attack_idle: 2.5\n    syn_flood: {threshold: 50}\n"
      "    adaptive: {enabled: true, k: 2}\n    port_scan: {max_sources: 100}\n");
  EXPECT_EQ(c.attack_idle, std::chrono::milliseconds(2500));
  EXPECT_EQ(c.syn_flood.threshold, 50);
  EXPECT_TRUE(c.adaptive.enabled);
  EXPECT_EQ(c.adaptive.k, 2);
  EXPECT_EQ(c.port_scan.max_sources, 100u);
}

TEST(NetmonConfig, ErrorsNameTheKey) {
  EXPECT_EQ(error_of("network_monitor:\n  detection:\n    port_scan_treshold: 3\n"),
            "network_monitor.detection.port_scan_treshold: unknown key");
  EXPECT_EQ(error_of("network_monitor:\n  detection:\n    scada_ports: [502, 0]\n"),
            "network_monitor.detection.scada_ports[1]: port must be 1..65535, got 0");
  EXPECT_EQ(error_of("network_monitor:\n  detection:\n    max_connections_per_ip: many\n"),
            "network_monitor.detection.max_connections_per_ip: expected a number, got 'many'");
  EXPECT_EQ(
      error_of("network_monitor:\n  detection:\n    modbus: {authorized_masters: [10.0.0.300]}\n"),
      "network_monitor.detection.modbus.authorized_masters[0]: not an IP address or prefix: "
      "'10.0.0.300'");
  EXPECT_EQ(error_of("network_monitor:\n  detection:\n    allowlist: [{dst: 10.0.0.1}]\n"),
            "network_monitor.detection.allowlist[0].src: missing (the source the rule allows)");
  EXPECT_EQ(error_of("network_monitor:\n  detection:\n    port_scan_threshold: 0\n"),
            "network_monitor.detection: port_scan_threshold: must be at least 1");
  EXPECT_NE(error_of("network_monitor: [1, 2"), "(no error)");
}

}  // namespace
}  // namespace cw::apps
