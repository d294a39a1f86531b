// detect/net/flow/flow_tracker.h — follows connection openings so the detectors see outcomes, not
// packets: a first contact (source → destination:port) succeeds (SYN answered by SYN-ACK, a UDP
// reply) or fails (SYN answered by RST, ICMP unreachable, no answer within the probe timeout), and
// a TCP handshake is completed or reset (RFC 9293 §3.5). Bounded LRU tables; pure.
#pragma once

#include <cstdint>

#include "detect/lru_table.h"
#include "detect/net/flow/flow_config.h"
#include "detect/packet.h"

namespace cw::detect {

struct FlowKey {
  IpAddress client, server;
  std::uint16_t client_port = 0, server_port = 0;
  Transport transport = Transport::none;
  bool operator==(const FlowKey&) const = default;
};
struct FlowKeyHash {
  std::uint64_t operator()(const FlowKey& k) const {
    const std::uint64_t ports = std::uint64_t{k.client_port} << 24 |
                                std::uint64_t{k.server_port} << 8 |
                                static_cast<std::uint64_t>(k.transport);
    return hash_address(k.client, hash_address(k.server, ports));
  }
};

struct ContactKey {
  IpAddress source, destination;
  std::uint16_t port = 0;
  Transport transport = Transport::none;
  bool operator==(const ContactKey&) const = default;
};
struct ContactKeyHash {
  std::uint64_t operator()(const ContactKey& k) const {
    return hash_address(k.source,
                        hash_address(k.destination, std::uint64_t{k.port} << 8 |
                                                        static_cast<std::uint64_t>(k.transport)));
  }
};

// What the tracker tells the detectors.
class FlowObserver {
 public:
  virtual ~FlowObserver() = default;
  // A TCP connection attempt that is not a retransmission (the SYN's packet).
  virtual void on_new_syn(const DecodedPacket& syn, Timestamp now) = 0;
  // The outcome of a first contact from `source` to destination:port.
  virtual void on_probe_outcome(const ContactKey& contact, bool success, Timestamp now) = 0;
  // The server answered a SYN with SYN-ACK: the port is open and the client reached it.
  virtual void on_accepted(const FlowKey& flow, Timestamp now) = 0;
  // A SYN that will not stay half-open: its handshake completed, or either side reset the
  // accepted connection (a server's RST to a bare SYN, a closed port, resolves nothing).
  virtual void on_resolved(const FlowKey& flow, bool completed, Timestamp now) = 0;
};

struct FlowStats {
  std::uint64_t probes = 0;  // first contacts followed
  std::uint64_t probe_timeouts = 0;
  std::uint64_t handshakes = 0;
  std::uint64_t probe_evictions = 0;  // pending contacts dropped because the table was full
};

class FlowTracker {
 public:
  explicit FlowTracker(const PortScanConfig& config);

  void on_packet(const DecodedPacket& p, Timestamp now, FlowObserver& observer);
  // Contacts unanswered for longer than the probe timeout (at `now`) fail.
  void expire(Timestamp now, FlowObserver& observer);
  const FlowStats& stats() const { return stats_; }
  std::size_t pending() const { return pending_.size(); }

 private:
  enum class State : std::uint8_t { syn_sent, accepted, udp_sent };
  struct Pending {
    Timestamp started{}, last{};
    State state = State::syn_sent;
    bool first_contact = false;
  };

  void on_tcp(const DecodedPacket& p, Timestamp now, FlowObserver& observer);
  void on_syn(const DecodedPacket& p, Timestamp now, FlowObserver& observer);
  void on_udp(const DecodedPacket& p, Timestamp now, FlowObserver& observer);
  void on_unreachable(const DecodedPacket& p, Timestamp now, FlowObserver& observer);
  bool first_contact(const ContactKey& key);

  Duration timeout_;
  LruTable<FlowKey, Pending, FlowKeyHash> pending_;
  LruTable<ContactKey, char, ContactKeyHash> contacts_;
  FlowStats stats_;
};

}  // namespace cw::detect
