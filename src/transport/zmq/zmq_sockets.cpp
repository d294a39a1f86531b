// transport/zmq/zmq_sockets.cpp — socket options shared by the collector and the agents.
#include "transport/zmq/zmq_sockets.h"

#include "transport/zmq/curve_memory.h"

namespace cw::transport {
namespace {

void apply_timing(zmq::socket_t& socket, const LinkTiming& timing) {
  socket.set(zmq::sockopt::heartbeat_ivl, static_cast<int>(timing.heartbeat_interval.count()));
  socket.set(zmq::sockopt::heartbeat_timeout, static_cast<int>(timing.heartbeat_timeout.count()));
  socket.set(zmq::sockopt::heartbeat_ttl, static_cast<int>(timing.heartbeat_timeout.count()));
  socket.set(zmq::sockopt::reconnect_ivl, static_cast<int>(timing.reconnect_min.count()));
  socket.set(zmq::sockopt::reconnect_ivl_max, static_cast<int>(timing.reconnect_max.count()));
  socket.set(zmq::sockopt::linger, 0);  // unacknowledged data lives in the spool, not here
}

}  // namespace

zmq::socket_t make_collector_socket(zmq::context_t& context, const CurveKeyPair& server,
                                    const LinkTiming& timing) {
  static_cast<void>(curve_memory_stats());  // links the CURVE buffer cache (curve_memory.h)
  zmq::socket_t socket(context, zmq::socket_type::router);
  apply_timing(socket, timing);
  socket.set(zmq::sockopt::curve_server, 1);
  socket.set(zmq::sockopt::curve_secretkey, server.secret_key);
  socket.set(zmq::sockopt::zap_domain, kZapDomain);
  socket.set(zmq::sockopt::rcvhwm, 100000);
  socket.set(zmq::sockopt::sndhwm, 100000);
  socket.set(zmq::sockopt::maxmsgsize, std::int64_t{16} << 20);  // a frame bigger is an attack
  return socket;
}

zmq::socket_t make_agent_socket(zmq::context_t& context, const CurveKeyPair& client,
                                const std::string& server_public_key, const LinkTiming& timing) {
  static_cast<void>(curve_memory_stats());
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  apply_timing(socket, timing);
  socket.set(zmq::sockopt::curve_serverkey, server_public_key);
  socket.set(zmq::sockopt::curve_publickey, client.public_key);
  socket.set(zmq::sockopt::curve_secretkey, client.secret_key);
  socket.set(zmq::sockopt::sndhwm, 64);    // a few windows; the spool holds the rest
  socket.set(zmq::sockopt::immediate, 1);  // queue only on completed connections
  return socket;
}

}  // namespace cw::transport
