// detect/net/flow/flow_detectors.cpp — the dispatch of detect/net/flow/flow_detectors.h.
#include "detect/net/flow/flow_detectors.h"

namespace cw::detect {

FlowDetectors::FlowDetectors(const NetmonConfig& config, EventSink& sink)
    : probe_timeout_(config.port_scan.probe_timeout),
      flows_(config.port_scan),
      sensitive_(config, sink),
      port_scan_(config, sensitive_.ports(), sink),
      syn_flood_(config, sink),
      connection_flood_(config, sink) {}

void FlowDetectors::on_packet(const DecodedPacket& p, Timestamp now) {
  flows_.on_packet(p, now, *this);
  if (p.transport == Transport::udp && sensitive_.ports().contains(p.destination_port))
    sensitive_.on_access(p.source, p.destination, p.destination_port, Transport::udp,
                         port_scan_.is_scanner(p.source), now);
}

void FlowDetectors::expire(Timestamp now) {
  flows_.expire(now, *this);
  port_scan_.expire(now);
  syn_flood_.expire(now);
  connection_flood_.expire(now);
}

void FlowDetectors::flush(Timestamp now) {
  flows_.expire(now + probe_timeout_, *this);  // what is still unanswered fails
  port_scan_.flush(now);
  syn_flood_.flush(now);
  connection_flood_.flush(now);
}

void FlowDetectors::counters(DetectorCounters& out) const {
  out.events.push_back({"port_scan", port_scan_.port_scans()});
  out.events.push_back({"address_scan", port_scan_.address_scans()});
  out.events.push_back({"syn_flood", syn_flood_.floods()});
  out.events.push_back({"connection_flood", connection_flood_.floods()});
  out.events.push_back({"sensitive_port_access", sensitive_.accesses()});
  const auto& flows = flows_.stats();
  out.extra.push_back({"probes", flows.probes});
  out.extra.push_back({"probe_timeouts", flows.probe_timeouts});
  out.extra.push_back({"handshakes", flows.handshakes});
  out.extra.push_back({"probe_evictions", flows.probe_evictions});
  out.table_evictions += port_scan_.evictions() + syn_flood_.evictions() +
                         connection_flood_.evictions() + sensitive_.evictions() +
                         flows.probe_evictions;
}

void FlowDetectors::on_new_syn(const DecodedPacket& syn, Timestamp now) {
  syn_flood_.on_syn(syn, now);
}

void FlowDetectors::on_probe_outcome(const ContactKey& contact, bool success, Timestamp now) {
  port_scan_.on_outcome(contact, success, now);
}

void FlowDetectors::on_accepted(const FlowKey& flow, Timestamp now) {
  sensitive_.on_access(flow.client, flow.server, flow.server_port, Transport::tcp,
                       port_scan_.is_scanner(flow.client), now);
}

void FlowDetectors::on_resolved(const FlowKey& flow, bool completed, Timestamp now) {
  syn_flood_.on_resolved(flow.server, now);
  if (completed) connection_flood_.on_connection(flow, now);
}

}  // namespace cw::detect
