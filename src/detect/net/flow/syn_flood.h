// detect/net/flow/syn_flood.h — SYN floods per destination, by a CUSUM over SYNs against the SYNs
// that were resolved (handshake completed, or reset by either side) in each interval, after Wang,
// Zhang and Shin ("Detecting SYN Flooding Attacks", INFOCOM 2002): y_n = max(0, y_{n−1} + x_n − a)
// with x_n = SYNs − resolved, alarm when y_n > threshold. It needs no per-source state, so it
// holds when every SYN has a spoofed source. The allowance a may follow a learned baseline
// (mean + k·σ). One event per flood, sent when the CUSUM falls back to zero or the destination
// goes quiet (and every report_interval while it goes on). A server's RST to a bare SYN (a closed
// port) resolves nothing; SYNs from one or two sources at many ports are a scan, not a flood.
#pragma once

#include <vector>

#include "detect/net/flow/flow_tracker.h"
#include "detect/net/net_support.h"

namespace cw::detect {

class SynFloodDetector {
 public:
  SynFloodDetector(const NetmonConfig& config, EventSink& sink);

  void on_syn(const DecodedPacket& syn, Timestamp now);
  void on_resolved(const IpAddress& server, Timestamp now);
  void expire(Timestamp now);
  void flush(Timestamp now);

  std::uint64_t floods() const { return floods_; }
  std::uint64_t evictions() const { return destinations_.evictions(); }

  struct Destination {
    Timestamp bucket_start{}, first{}, last{}, alarm_at{}, last_report{};
    std::uint32_t syns = 0, resolved = 0;
    double cusum = 0, peak = 0;
    bool alarm = false;
    std::uint64_t episode_syns = 0;  // since the CUSUM last left zero
    IpAddress first_source;
    DistinctCounter sources;
    FirstValues<std::uint16_t, 8> ports;
  };

 private:
  static constexpr std::uint8_t kScanPorts = 8;  // Destination::ports keeps the first 8
  bool scan_shaped(const Destination& d) const;
  void roll(const IpAddress& server, Destination& d, Timestamp now);
  void report(const IpAddress& server, Destination& d, Timestamp now, Phase phase);

  SynFloodConfig config_;
  Duration idle_, report_interval_;
  AdaptiveThreshold baseline_;
  EventSink& sink_;
  LruTable<IpAddress, Destination, AddressHash> destinations_;
  std::vector<IpAddress> active_;
  std::uint64_t floods_ = 0;
};

}  // namespace cw::detect
