// detect/net/flow/flow_tracker.cpp — the opening-handshake state machine of
// detect/net/flow/flow_tracker.h.
#include "detect/net/flow/flow_tracker.h"

namespace cw::detect {
namespace {

FlowKey forward(const DecodedPacket& p) {
  return {p.source, p.destination, p.source_port, p.destination_port, p.transport};
}
FlowKey reverse(const DecodedPacket& p) {
  return {p.destination, p.source, p.destination_port, p.source_port, p.transport};
}
ContactKey contact_of(const FlowKey& k) { return {k.client, k.server, k.server_port, k.transport}; }

}  // namespace

FlowTracker::FlowTracker(const PortScanConfig& config)
    : timeout_(config.probe_timeout), pending_(config.max_probes), contacts_(config.max_contacts) {}

void FlowTracker::on_packet(const DecodedPacket& p, Timestamp now, FlowObserver& observer) {
  switch (p.transport) {
    case Transport::tcp:
      on_tcp(p, now, observer);
      break;
    case Transport::udp:
      on_udp(p, now, observer);
      break;
    case Transport::icmp:
    case Transport::icmpv6:
      if (p.unreachable && p.quoted.present) on_unreachable(p, now, observer);
      break;
    default:
      break;
  }
}

bool FlowTracker::first_contact(const ContactKey& key) {
  return contacts_.get_or_insert(key).inserted;
}

void FlowTracker::on_syn(const DecodedPacket& p, Timestamp now, FlowObserver& observer) {
  const FlowKey key = forward(p);
  auto found =
      pending_.get_or_insert(key, [this](const FlowKey&, Pending&) { ++stats_.probe_evictions; });
  if (!found.inserted) {  // a retransmitted SYN
    found.value.last = now;
    return;
  }
  found.value = Pending{now, now, State::syn_sent, first_contact(contact_of(key))};
  if (found.value.first_contact) ++stats_.probes;
  observer.on_new_syn(p, now);
}

void FlowTracker::on_tcp(const DecodedPacket& p, Timestamp now, FlowObserver& observer) {
  using namespace tcp_flag;
  if (p.has(syn) && !p.has(ack) && !p.has(rst)) return on_syn(p, now, observer);
  if (p.has(syn) && p.has(ack)) {  // the server's answer
    const FlowKey key = reverse(p);
    Pending* pending = pending_.find(key);
    if (pending == nullptr || pending->state != State::syn_sent) return;
    pending->state = State::accepted;
    pending->last = now;
    if (pending->first_contact) observer.on_probe_outcome(contact_of(key), true, now);
    observer.on_accepted(key, now);
    return;
  }
  if (p.has(rst)) {
    FlowKey key = reverse(p);  // the server refusing
    Pending* pending = pending_.find(key);
    if (pending == nullptr) {
      key = forward(p);  // or the client giving up (a half-open scan's RST)
      pending = pending_.find(key);
      if (pending == nullptr) return;
    } else if (pending->state == State::syn_sent) {
      // A closed port refusing a SYN: the probe failed, but the SYN was not resolved (a SYN
      // flood at a closed port is answered by one RST per SYN and is still a flood).
      if (pending->first_contact) observer.on_probe_outcome(contact_of(key), false, now);
      pending_.erase(key);
      return;
    }
    observer.on_resolved(key, false, now);
    pending_.erase(key);
    return;
  }
  if (p.has(ack)) {  // the client's ACK completes the handshake
    const FlowKey key = forward(p);
    Pending* pending = pending_.find(key);
    if (pending == nullptr || pending->state != State::accepted) return;
    ++stats_.handshakes;
    observer.on_resolved(key, true, now);
    pending_.erase(key);
  }
}

void FlowTracker::on_udp(const DecodedPacket& p, Timestamp now, FlowObserver& observer) {
  const FlowKey back = reverse(p);
  if (Pending* pending = pending_.find(back);
      pending != nullptr && pending->state == State::udp_sent) {
    observer.on_probe_outcome(contact_of(back), true, now);  // the server answered
    pending_.erase(back);
    return;
  }
  // An answer is not a probe: the side that spoke first probes. A datagram from a port the
  // destination once contacted at this source (a DNS or NTP reply after the first one) answers.
  if (contacts_.find(contact_of(back)) != nullptr) return;
  const FlowKey key = forward(p);
  if (!first_contact(contact_of(key))) return;
  ++stats_.probes;
  auto found =
      pending_.get_or_insert(key, [this](const FlowKey&, Pending&) { ++stats_.probe_evictions; });
  found.value = Pending{now, now, State::udp_sent, true};
}

void FlowTracker::on_unreachable(const DecodedPacket& p, Timestamp now, FlowObserver& observer) {
  const auto& q = p.quoted;
  if (q.transport != Transport::tcp && q.transport != Transport::udp) return;
  const FlowKey key{q.source, q.destination, q.source_port, q.destination_port, q.transport};
  Pending* pending = pending_.find(key);
  if (pending == nullptr || pending->state == State::accepted) return;
  if (pending->first_contact) observer.on_probe_outcome(contact_of(key), false, now);
  if (q.transport == Transport::tcp) observer.on_resolved(key, false, now);
  pending_.erase(key);
}

void FlowTracker::expire(Timestamp now, FlowObserver& observer) {
  while (const FlowKey* key = pending_.oldest_key()) {
    const Pending& pending = *pending_.oldest_value();
    if (pending.last + timeout_ > now) break;
    if (pending.state != State::accepted && pending.first_contact) {
      ++stats_.probe_timeouts;
      observer.on_probe_outcome(contact_of(*key), false, now);
    }
    pending_.pop_oldest();
  }
}

}  // namespace cw::detect
