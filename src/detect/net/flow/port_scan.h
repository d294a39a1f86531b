// detect/net/flow/port_scan.h — port and address scans, decided per source by the Threshold Random
// Walk of Jung, Paxson, Berger and Balakrishnan ("Fast Portscan Detection Using Sequential
// Hypothesis Testing", IEEE S&P 2004): each first contact multiplies a likelihood ratio by θ1/θ0
// when it succeeds and by (1−θ1)/(1−θ0) when it fails; the source is a scanner once the ratio
// reaches η1 = β/α and is benign (the walk restarts) once it falls to η0 = (1−β)/(1−α). The seed's
// threshold (port_scan_threshold distinct ports, or as many unanswered hosts, within a window)
// is a second signal. A scan is one event, sent when it ends (or every report_interval while it
// goes on): `port_scan` for many ports, `address_scan` for one port over many hosts.
#pragma once

#include <cstdint>
#include <vector>

#include "detect/net/flow/flow_tracker.h"
#include "detect/net/net_support.h"
#include "detect/port_set.h"

namespace cw::detect {

class PortScanDetector {
 public:
  PortScanDetector(const NetmonConfig& config, const PortSet& sensitive, EventSink& sink);

  void on_outcome(const ContactKey& contact, bool success, Timestamp now);
  bool is_scanner(const IpAddress& source);
  // Reports scans idle for attack_idle, and summarises long ones every report_interval.
  void expire(Timestamp now);
  void flush(Timestamp now);  // reports every scan still open (end of capture, shutdown)

  std::uint64_t port_scans() const { return port_scans_; }
  std::uint64_t address_scans() const { return address_scans_; }
  std::uint64_t evictions() const { return sources_.evictions(); }

  enum class DecidedBy : std::uint8_t { none, trw, threshold };
  struct Source {
    Timestamp first{}, last{}, window_start{}, decided_at{}, last_report{};
    double log_ratio = 0;
    std::uint32_t probes = 0, failures = 0, successes = 0, probes_to_decide = 0;
    std::uint32_t walk_restarts = 0, reports = 0;
    DecidedBy decided = DecidedBy::none;
    bool many_destinations = false;
    IpAddress first_destination;
    DistinctCounter window_ports, window_failed_hosts, ports_seen, hosts_seen;
    FirstValues<std::uint16_t, 16> ports;
    FirstValues<std::uint16_t, 8> sensitive_ports;
  };

 private:
  void walk(Source& s, bool success, Timestamp now);
  void report(const IpAddress& source, Source& s, Timestamp now, Phase phase);

  PortScanConfig config_;
  Duration idle_, report_interval_;
  double step_success_, step_failure_, upper_, lower_;
  const PortSet& sensitive_;
  EventSink& sink_;
  LruTable<IpAddress, Source, AddressHash> sources_;
  std::vector<IpAddress> active_;  // sources decided as scanners, until reported
  std::uint64_t port_scans_ = 0, address_scans_ = 0;
};

}  // namespace cw::detect
