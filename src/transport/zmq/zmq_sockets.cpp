// transport/zmq/zmq_sockets.cpp — socket options shared by the collector and the agents.
#include "transport/zmq/zmq_sockets.h"

#include "transport/zmq/curve_memory.h"

namespace cw::transport {
namespace {

int ms(std::chrono::milliseconds value) { return static_cast<int>(value.count()); }

void apply_common(zmq::socket_t& socket, const LinkTiming& timing) {
  socket.set(zmq::sockopt::handshake_ivl, ms(timing.handshake_timeout));
  socket.set(zmq::sockopt::reconnect_ivl, ms(timing.reconnect_min));
  socket.set(zmq::sockopt::reconnect_ivl_max, ms(timing.reconnect_max));
  socket.set(zmq::sockopt::linger, 0);  // unacknowledged data lives in the spool, not here
}

}  // namespace

zmq::socket_t make_collector_socket(zmq::context_t& context, const CurveKeyPair& server,
                                    const LinkTiming& timing) {
  static_cast<void>(curve_memory_stats());  // links the CURVE buffer cache (curve_memory.h)
  zmq::socket_t socket(context, zmq::socket_type::router);
  apply_common(socket, timing);
  // No ZMTP timers per connection (zmq_sockets.h): PONGs are still sent to the agents' PINGs.
  socket.set(zmq::sockopt::heartbeat_ivl, 0);
  socket.set(zmq::sockopt::tcp_keepalive, 1);
  socket.set(zmq::sockopt::tcp_keepalive_idle, kKeepaliveIdle);
  socket.set(zmq::sockopt::tcp_keepalive_intvl, kKeepaliveInterval);
  socket.set(zmq::sockopt::tcp_keepalive_cnt, kKeepaliveCount);
  socket.set(zmq::sockopt::tcp_maxrt, kUnacknowledgedLimitMs);
  socket.set(zmq::sockopt::backlog, kListenBacklog);
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
  apply_common(socket, timing);
  socket.set(zmq::sockopt::heartbeat_ivl, ms(timing.heartbeat_interval));
  socket.set(zmq::sockopt::heartbeat_timeout, ms(timing.heartbeat_timeout));
  socket.set(zmq::sockopt::heartbeat_ttl, 0);  // no TTL timer per connection on the collector
  socket.set(zmq::sockopt::curve_serverkey, server_public_key);
  socket.set(zmq::sockopt::curve_publickey, client.public_key);
  socket.set(zmq::sockopt::curve_secretkey, client.secret_key);
  socket.set(zmq::sockopt::sndhwm, 64);    // a few windows; the spool holds the rest
  socket.set(zmq::sockopt::immediate, 1);  // queue only on completed connections
  return socket;
}

}  // namespace cw::transport
