// detect/network_detectors.h — every network detector behind one call per captured frame:
// decodes it, follows handshakes and first contacts, and feeds the port scan, SYN flood,
// connection flood, sensitive port and Modbus detectors, all on packet time (which may step
// backwards: the detectors see the latest time so far). Events go to the sink; counters are a
// snapshot for the caller to print. Pure: no clock, no I/O, bounded memory.
#pragma once

#include <cstdint>

#include "detect/connection_flood.h"
#include "detect/flow_tracker.h"
#include "detect/modbus.h"
#include "detect/net_support.h"
#include "detect/packet.h"
#include "detect/port_scan.h"
#include "detect/sensitive_ports.h"
#include "detect/syn_flood.h"

namespace cw::detect {

struct NetmonStats {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::uint64_t decoded = 0;
  std::uint64_t not_ip = 0;
  std::uint64_t truncated = 0;
  std::uint64_t malformed = 0;
  std::uint64_t unsupported_link = 0;
  std::uint64_t later_fragments = 0;
  std::uint64_t time_went_backwards = 0;
  Timestamp first_packet{}, last_packet{};
  // Events reported, by detector.
  std::uint64_t port_scans = 0, address_scans = 0, syn_floods = 0, connection_floods = 0;
  std::uint64_t sensitive_port_accesses = 0, modbus_anomalies = 0;
  std::uint64_t table_evictions = 0;
  FlowStats flows;
  std::uint64_t events() const {
    return port_scans + address_scans + syn_floods + connection_floods + sensitive_port_accesses +
           modbus_anomalies;
  }
};

class NetworkDetectors final : private FlowObserver {
 public:
  NetworkDetectors(const NetmonConfig& config, EventSink sink);

  // One captured frame: its link type, bytes and capture timestamp.
  void on_frame(LinkType link, std::span<const std::byte> frame, Timestamp time);
  // A decoded packet (what on_frame calls after decoding; fuzzers and tests may call it directly).
  void on_packet(const DecodedPacket& packet);
  // Lets time pass without packets (live capture on a quiet link): expires probes and attacks.
  void advance(Timestamp now);
  // Ends everything in progress: unanswered probes fail, open attacks are reported.
  void flush();

  NetmonStats stats() const;

 private:
  void on_new_syn(const DecodedPacket& syn, Timestamp now) override;
  void on_probe_outcome(const ContactKey& contact, bool success, Timestamp now) override;
  void on_accepted(const FlowKey& flow, Timestamp now) override;
  void on_resolved(const FlowKey& flow, bool completed, Timestamp now) override;
  void tick(Timestamp now);

  NetmonConfig config_;
  EventSink sink_;
  FlowTracker flows_;
  SensitivePortDetector sensitive_;
  PortScanDetector port_scan_;
  SynFloodDetector syn_flood_;
  ConnectionFloodDetector connection_flood_;
  ModbusDetector modbus_;
  NetmonStats stats_;
  Timestamp now_{}, next_tick_{};
  bool started_ = false;
  DecodedPacket scratch_;
};

}  // namespace cw::detect
