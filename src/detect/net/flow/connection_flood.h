// detect/net/flow/connection_flood.h — too many connections from one source: completed TCP
// handshakes (connections, not packets) counted over a sliding window (the previous window's count
// weighted by how much of it still overlaps), alarm above max_connections_per_ip (seed 002: 50) or
// above the learned baseline mean + k·σ when the adaptive option is on. One event per flood.
#pragma once

#include <vector>

#include "detect/net/flow/flow_tracker.h"
#include "detect/net/net_support.h"

namespace cw::detect {

class ConnectionFloodDetector {
 public:
  ConnectionFloodDetector(const NetmonConfig& config, EventSink& sink);

  void on_connection(const FlowKey& flow, Timestamp now);
  void expire(Timestamp now);
  void flush(Timestamp now);

  std::uint64_t floods() const { return floods_; }
  std::uint64_t evictions() const { return sources_.evictions(); }

  struct Source {
    Timestamp window_start{}, first{}, last{}, alarm_at{}, last_report{};
    std::uint32_t current = 0, previous = 0;
    std::uint64_t episode = 0;  // connections since the alarm's window began
    bool alarm = false;
    IpAddress first_destination;
    bool many_destinations = false;
    FirstValues<std::uint16_t, 8> ports;
  };

 private:
  double rate(const Source& s, Timestamp now) const;
  void report(const IpAddress& source, Source& s, Timestamp now, Phase phase);

  ConnectionFloodConfig config_;
  Duration idle_, report_interval_;
  AdaptiveThreshold baseline_;
  EventSink& sink_;
  LruTable<IpAddress, Source, AddressHash> sources_;
  std::vector<IpAddress> active_;
  std::uint64_t floods_ = 0;
};

}  // namespace cw::detect
