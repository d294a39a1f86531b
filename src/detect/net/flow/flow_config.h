// detect/net/flow/flow_config.h — what the flow family (port/address scans, SYN floods,
// connection floods, sensitive ports) is told: seed 002's `port_scan_threshold`,
// `max_connections_per_ip`, `suspicious_ports`, `scada_ports` and `allowlist`, plus the windows,
// table sizes and the adaptive threshold option that chronowatch adds; and the reader of those
// keys under `network_monitor.detection:`.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ip_address.h"
#include "core/time.h"
#include "detect/config_yaml.h"

namespace cw::detect {

using namespace std::chrono_literals;

// Who may reach a sensitive port without an alert: a source, optionally narrowed to a
// destination and a port.
struct AllowRule {
  IpPrefix source;
  std::optional<IpPrefix> destination;
  std::optional<std::uint16_t> port;
  bool matches(const IpAddress& src, const IpAddress& dst, std::uint16_t p) const;
};

// Rate thresholds may follow the traffic: threshold = max(configured, mean + k·σ) of a baseline
// learned as an exponentially weighted mean and variance of what the detector measures.
struct AdaptiveConfig {
  bool enabled = false;
  double k = 3.0;
  double weight = 0.05;            // EWMA weight of each new observation
  std::uint32_t min_samples = 30;  // observations before the baseline is trusted
};

struct PortScanConfig {
  std::uint32_t threshold = 10;  // seed: port_scan_threshold, distinct ports within `window`
  Duration window = 60s;
  Duration probe_timeout = 3s;  // a first contact without answer by then has failed
  // Threshold Random Walk (Jung, Paxson, Berger, Balakrishnan, IEEE S&P 2004).
  double theta0 = 0.8;  // P(first contact succeeds | benign)
  double theta1 = 0.2;  // P(first contact succeeds | scanner)
  double alpha = 0.01;  // tolerated false positive probability
  double beta = 0.99;   // required detection probability
  std::size_t max_sources = 16384;
  std::size_t max_contacts = 65536;  // (source, destination, port) first contacts remembered
  std::size_t max_probes = 65536;    // contacts awaiting their answer
};

struct SynFloodConfig {
  Duration interval = 1s;  // CUSUM observation interval
  double allowance = 20;   // SYNs per interval without completion that are normal
  double threshold = 200;  // CUSUM alarm level
  // One attack is one event (issue 14): a flood is many sources or few ports; SYNs from at most
  // this many sources at kScanPorts or more ports are a port scan, left to port_scan.
  std::uint32_t scan_sources = 2;
  std::size_t max_destinations = 4096;
};

struct ConnectionFloodConfig {
  std::uint32_t max_connections_per_ip = 50;  // seed
  Duration window = 60s;
  std::size_t max_sources = 16384;
};

struct SensitivePortsConfig {
  std::vector<std::uint16_t> suspicious_ports{22, 502, 3389};  // seed
  std::vector<std::uint16_t> scada_ports{502, 2404, 44818};    // seed
  // Always added to scada_ports: DNP3, S7comm, OPC UA, BACnet/IP.
  std::vector<std::uint16_t> extra_scada_ports{20000, 102, 4840, 47808};
  std::vector<AllowRule> allowlist;
  Duration dedupe_window = 3600s;
  std::size_t max_entries = 16384;
};

struct FlowConfig {
  PortScanConfig port_scan;
  SynFloodConfig syn_flood;
  ConnectionFloodConfig connection_flood;
  SensitivePortsConfig sensitive;
  AdaptiveConfig adaptive;
};

// Adds the flow family's keys of `network_monitor.detection:` to `readers`.
void add_flow_readers(FlowConfig& config, Readers& readers);
// The offending key and why, or nothing.
std::optional<std::string> validate(const FlowConfig& config);

}  // namespace cw::detect
