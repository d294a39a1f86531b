// detect/netmon_config.h — what the network detectors are told: seed 002's `network_monitor:
// detection:` keys (port_scan_threshold, max_connections_per_ip, suspicious_ports, scada_ports,
// allowlist, modbus.authorized_masters) plus the windows, table sizes and the adaptive
// threshold option that chronowatch adds. Plain data with the seed's defaults; the YAML loader
// lives in apps/.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ip_address.h"
#include "core/time.h"

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

struct ModbusConfig {
  std::vector<std::uint16_t> ports{502};
  std::vector<IpPrefix> authorized_masters;  // empty: writes are not checked
  std::uint32_t sweep_threshold = 5;         // distinct function codes refused within sweep_window
  Duration sweep_window = 10s;
  Duration request_timeout = 5s;
  std::uint32_t unmatched_threshold = 2;  // responses without request before reporting
  Duration dedupe_window = 300s;
  std::size_t max_transactions = 16384;
  std::size_t max_pairs = 4096;
};

struct NetmonConfig {
  PortScanConfig port_scan;
  SynFloodConfig syn_flood;
  ConnectionFloodConfig connection_flood;
  SensitivePortsConfig sensitive;
  ModbusConfig modbus;
  AdaptiveConfig adaptive;
  Duration attack_idle = 10s;      // an attack with no new activity for this long has ended
  Duration report_interval = 60s;  // an attack still going is summarised this often
};

// Checks values that the types cannot: returns the offending key (as in the YAML) and why, or
// nothing when the configuration is usable.
std::optional<std::string> validate(const NetmonConfig& config);

}  // namespace cw::detect
