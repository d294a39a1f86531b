// transport/zmq/zmq_sockets.h — how chronowatch configures its ZeroMQ sockets: CURVE on both ends,
// ZeroMQ heartbeats (ZMTP 3.1 PING/PONG) from the agent so it notices a dead collector, TCP
// keepalive on the collector's side, a bounded handshake, reconnect back-off and a listen backlog
// sized for a fleet that reconnects at once (docs/pipeline.md, "Sockets").
#pragma once

#include <chrono>
#include <string>
#include <zmq.hpp>

#include "transport/zmq/curve_keys.h"

namespace cw::transport {

struct LinkTiming {
  // The agent's side only: PING every interval, reconnect when nothing came back for the timeout
  // (ZMQ_HEARTBEAT_IVL, ZMQ_HEARTBEAT_TIMEOUT). The collector neither pings nor is asked for a
  // TTL: libzmq cancels a timer by walking all timers of its I/O thread, once per received
  // message, so a timer per connection costs the collector O(agents) per message.
  std::chrono::milliseconds heartbeat_interval{5000};
  std::chrono::milliseconds heartbeat_timeout{15000};
  // ZMQ_HANDSHAKE_IVL on both ends: a CURVE handshake not done by then is dropped and retried by
  // libzmq. An agent that cannot send leaves its connection to libzmq this long before it
  // reconnects by itself (zmq_agent_link.h): tearing down a slow handshake only queues it again.
  std::chrono::milliseconds handshake_timeout{30000};
  std::chrono::milliseconds reconnect_min{100};   // ZMQ_RECONNECT_IVL
  std::chrono::milliseconds reconnect_max{5000};  // ZMQ_RECONNECT_IVL_MAX (exponential)
  // With several collectors: move to the next after this long without an answer (failover.h).
  std::chrono::milliseconds failover_after{5000};
};

inline constexpr const char* kZapDomain = "chronowatch";
// The collector's listen(2) backlog (ZMQ_BACKLOG, libzmq's default 100; the kernel caps it at
// net.core.somaxconn): a fleet reconnecting after a collector restart sends thousands of SYNs at
// once, and each one the queue drops is retransmitted only after 1 s, 3 s, 7 s...
inline constexpr int kListenBacklog = 4096;
// TCP keepalive on the collector's connections (seconds): reaps one whose agent vanished without
// a FIN (power loss) in the kernel, where the ZMTP heartbeat would cost a timer per connection.
inline constexpr int kKeepaliveIdle = 60, kKeepaliveInterval = 10, kKeepaliveCount = 3;
// Keepalive does not probe while data sent is unacknowledged (an ack sent into a partition): the
// kernel then retransmits for ~15 minutes. TCP_USER_TIMEOUT (ZMQ_TCP_MAXRT, milliseconds) drops
// such a connection after as long as keepalive takes to reap an idle one.
inline constexpr int kUnacknowledgedLimitMs =
    (kKeepaliveIdle + kKeepaliveInterval * kKeepaliveCount) * 1000;

// The collector's ROUTER: CURVE server, authenticated by the ZAP handler of the same context.
zmq::socket_t make_collector_socket(zmq::context_t& context, const CurveKeyPair& server,
                                    const LinkTiming& timing = {});
// An agent's DEALER: CURVE client of the collector's public key. Not yet connected.
zmq::socket_t make_agent_socket(zmq::context_t& context, const CurveKeyPair& client,
                                const std::string& server_public_key,
                                const LinkTiming& timing = {});

}  // namespace cw::transport
