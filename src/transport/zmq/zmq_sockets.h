// transport/zmq/zmq_sockets.h — how chronowatch configures its ZeroMQ sockets: CURVE on both ends,
// ZeroMQ heartbeats (ZMTP 3.1 PING/PONG) so dead peers are noticed, and reconnect back-off.
#pragma once

#include <chrono>
#include <string>
#include <zmq.hpp>

#include "transport/zmq/curve_keys.h"

namespace cw::transport {

struct LinkTiming {
  std::chrono::milliseconds heartbeat_interval{5000};  // ZMQ_HEARTBEAT_IVL
  std::chrono::milliseconds heartbeat_timeout{15000};  // ZMQ_HEARTBEAT_TIMEOUT and _TTL
  std::chrono::milliseconds reconnect_min{100};        // ZMQ_RECONNECT_IVL
  std::chrono::milliseconds reconnect_max{5000};       // ZMQ_RECONNECT_IVL_MAX (exponential)
};

inline constexpr const char* kZapDomain = "chronowatch";

// The collector's ROUTER: CURVE server, authenticated by the ZAP handler of the same context.
zmq::socket_t make_collector_socket(zmq::context_t& context, const CurveKeyPair& server,
                                    const LinkTiming& timing = {});
// An agent's DEALER: CURVE client of the collector's public key. Not yet connected.
zmq::socket_t make_agent_socket(zmq::context_t& context, const CurveKeyPair& client,
                                const std::string& server_public_key,
                                const LinkTiming& timing = {});

}  // namespace cw::transport
