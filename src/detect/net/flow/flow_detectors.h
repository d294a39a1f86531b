// detect/net/flow/flow_detectors.h — the flow family as one NetDetector: the flow tracker follows
// openings (first contacts, handshakes, resets) and tells the port scan (TRW), SYN flood (CUSUM),
// connection flood and sensitive port detectors what happened. They live together because they
// share the tracker's outcomes and the scanner verdict (a scanner's sensitive ports are in its
// scan event, not separate events).
#pragma once

#include "detect/detector.h"
#include "detect/net/flow/connection_flood.h"
#include "detect/net/flow/flow_tracker.h"
#include "detect/net/flow/port_scan.h"
#include "detect/net/flow/sensitive_ports.h"
#include "detect/net/flow/syn_flood.h"

namespace cw::detect {

class FlowDetectors final : public NetDetector, private FlowObserver {
 public:
  FlowDetectors(const NetmonConfig& config, EventSink& sink);

  void on_packet(const DecodedPacket& packet, Timestamp now) override;
  void expire(Timestamp now) override;
  void flush(Timestamp now) override;
  void counters(DetectorCounters& out) const override;

 private:
  void on_new_syn(const DecodedPacket& syn, Timestamp now) override;
  void on_probe_outcome(const ContactKey& contact, bool success, Timestamp now) override;
  void on_accepted(const FlowKey& flow, Timestamp now) override;
  void on_resolved(const FlowKey& flow, bool completed, Timestamp now) override;

  Duration probe_timeout_;
  FlowTracker flows_;
  SensitivePortDetector sensitive_;
  PortScanDetector port_scan_;
  SynFloodDetector syn_flood_;
  ConnectionFloodDetector connection_flood_;
};

}  // namespace cw::detect
