// detect/network_detectors.cpp — the per-frame dispatch of detect/network_detectors.h.
#include "detect/network_detectors.h"

namespace cw::detect {
namespace {
constexpr Duration kTick = std::chrono::milliseconds(250);  // how often expiry runs, in packet time
}

NetworkDetectors::NetworkDetectors(const NetmonConfig& config, EventSink sink)
    : config_(config),
      sink_(std::move(sink)),
      flows_(config_.port_scan),
      sensitive_(config_, sink_),
      port_scan_(config_, sensitive_.ports(), sink_),
      syn_flood_(config_, sink_),
      connection_flood_(config_, sink_),
      modbus_(config_, sink_) {}

void NetworkDetectors::on_frame(LinkType link, std::span<const std::byte> frame, Timestamp time) {
  ++stats_.packets;
  stats_.bytes += frame.size();
  switch (decode_packet(link, frame, time, scratch_)) {
    case DecodeStatus::ok:
      break;
    case DecodeStatus::not_ip:
      ++stats_.not_ip;
      return;
    case DecodeStatus::truncated:
      ++stats_.truncated;
      return;
    case DecodeStatus::malformed:
      ++stats_.malformed;
      return;
    case DecodeStatus::unsupported_link:
      ++stats_.unsupported_link;
      return;
  }
  on_packet(scratch_);
}

void NetworkDetectors::on_packet(const DecodedPacket& p) {
  ++stats_.decoded;
  if (!started_) {
    started_ = true;
    now_ = stats_.first_packet = p.time;
    next_tick_ = p.time + kTick;
  }
  if (p.time < now_) ++stats_.time_went_backwards;
  now_ = later(now_, p.time);
  stats_.last_packet = now_;
  if (now_ >= next_tick_) tick(now_);
  if (p.later_fragment) {
    ++stats_.later_fragments;
    return;
  }
  flows_.on_packet(p, now_, *this);
  if (p.transport == Transport::udp && sensitive_.ports().contains(p.destination_port))
    sensitive_.on_access(p.source, p.destination, p.destination_port, Transport::udp,
                         port_scan_.is_scanner(p.source), now_);
  if (p.transport == Transport::tcp && !p.payload.empty() && modbus_.on_port(p))
    modbus_.on_segment(p, now_);
}

void NetworkDetectors::tick(Timestamp now) {
  next_tick_ = now + kTick;
  flows_.expire(now, *this);
  port_scan_.expire(now);
  syn_flood_.expire(now);
  connection_flood_.expire(now);
  modbus_.expire(now);
}

void NetworkDetectors::advance(Timestamp now) {
  if (!started_ || now < now_) return;
  now_ = now;
  tick(now);
}

void NetworkDetectors::flush() {
  if (!started_) return;
  const Timestamp end = now_ + config_.port_scan.probe_timeout;  // what is still unanswered fails
  flows_.expire(end, *this);
  port_scan_.flush(now_);
  syn_flood_.flush(now_);
  connection_flood_.flush(now_);
}

void NetworkDetectors::on_new_syn(const DecodedPacket& syn, Timestamp now) {
  syn_flood_.on_syn(syn, now);
}

void NetworkDetectors::on_probe_outcome(const ContactKey& contact, bool success, Timestamp now) {
  port_scan_.on_outcome(contact, success, now);
}

void NetworkDetectors::on_accepted(const FlowKey& flow, Timestamp now) {
  sensitive_.on_access(flow.client, flow.server, flow.server_port, Transport::tcp,
                       port_scan_.is_scanner(flow.client), now);
}

void NetworkDetectors::on_resolved(const FlowKey& flow, bool completed, Timestamp now) {
  syn_flood_.on_resolved(flow.server, now);
  if (completed) connection_flood_.on_connection(flow, now);
}

NetmonStats NetworkDetectors::stats() const {
  NetmonStats s = stats_;
  s.port_scans = port_scan_.port_scans();
  s.address_scans = port_scan_.address_scans();
  s.syn_floods = syn_flood_.floods();
  s.connection_floods = connection_flood_.floods();
  s.sensitive_port_accesses = sensitive_.accesses();
  s.modbus_anomalies = modbus_.total();
  s.table_evictions = port_scan_.evictions() + syn_flood_.evictions() +
                      connection_flood_.evictions() + sensitive_.evictions();
  s.flows = flows_.stats();
  return s;
}

}  // namespace cw::detect
