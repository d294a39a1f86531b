// tests/unit/transport/zmq_sockets_test.cpp — the socket options docs/pipeline.md promises, read
// back from real libzmq sockets: a 30 s handshake bound, reconnect back-off (100 ms to 5 s) and
// linger 0 on both ends; on the collector's ROUTER CURVE server + ZAP domain + 16 MiB frame limit,
// a 4096 listen backlog, TCP keepalive and no ZMTP heartbeat (no timer per connection); on an
// agent's DEALER CURVE client, ZMQ_IMMEDIATE (the spool is the queue) and ZMTP heartbeats (5 s,
// 15 s timeout) without a TTL for the collector to time.
#include "transport/zmq/zmq_sockets.h"

#include <gtest/gtest.h>

#include "transport/zmq/curve_keys.h"

namespace cw::transport {
namespace {

void expect_timing(zmq::socket_t& socket) {
  EXPECT_EQ(socket.get(zmq::sockopt::handshake_ivl), 30000);
  EXPECT_EQ(socket.get(zmq::sockopt::reconnect_ivl), 100);
  EXPECT_EQ(socket.get(zmq::sockopt::reconnect_ivl_max), 5000);
  EXPECT_EQ(socket.get(zmq::sockopt::linger), 0);
}

TEST(ZmqSockets, TheCollectorsRouterIsACurveServerBehindZap) {
  zmq::context_t context(1);
  const auto server = generate_key_pair();
  auto socket = make_collector_socket(context, server);
  expect_timing(socket);
  // libzmq cancels a timer by walking its I/O thread's timers, once per message received: one
  // per connection would cost the collector O(agents) per message (the 5 000-agent stall).
  EXPECT_EQ(socket.get(zmq::sockopt::heartbeat_ivl), 0);
  EXPECT_EQ(socket.get(zmq::sockopt::tcp_keepalive), 1);
  EXPECT_EQ(socket.get(zmq::sockopt::tcp_keepalive_idle), 60);
  EXPECT_EQ(socket.get(zmq::sockopt::tcp_keepalive_intvl), 10);
  EXPECT_EQ(socket.get(zmq::sockopt::tcp_keepalive_cnt), 3);
  EXPECT_EQ(socket.get(zmq::sockopt::tcp_maxrt), 90'000);  // TCP_USER_TIMEOUT, ms
  EXPECT_EQ(socket.get(zmq::sockopt::backlog), 4096);      // libzmq's 100 drops a fleet's SYNs
  EXPECT_EQ(socket.get(zmq::sockopt::curve_server), 1);
  EXPECT_EQ(socket.get(zmq::sockopt::zap_domain), kZapDomain);
  EXPECT_EQ(socket.get(zmq::sockopt::maxmsgsize), std::int64_t{16} << 20);
  EXPECT_EQ(socket.get(zmq::sockopt::mechanism), ZMQ_CURVE);
}

TEST(ZmqSockets, AnAgentsDealerIsACurveClientThatQueuesOnlyWhenConnected) {
  zmq::context_t context(1);
  const auto server = generate_key_pair(), client = generate_key_pair();
  auto socket = make_agent_socket(context, client, server.public_key);
  expect_timing(socket);
  EXPECT_EQ(socket.get(zmq::sockopt::heartbeat_ivl), 5000);
  EXPECT_EQ(socket.get(zmq::sockopt::heartbeat_timeout), 15000);
  EXPECT_EQ(socket.get(zmq::sockopt::heartbeat_ttl), 0);  // no TTL timer on the collector
  EXPECT_EQ(socket.get(zmq::sockopt::curve_server), 0);
  EXPECT_EQ(socket.get(zmq::sockopt::curve_serverkey, 41), server.public_key);
  EXPECT_EQ(socket.get(zmq::sockopt::immediate), 1);
  EXPECT_EQ(socket.get(zmq::sockopt::mechanism), ZMQ_CURVE);
  LinkTiming fast;
  fast.heartbeat_interval = std::chrono::milliseconds(200);
  auto tuned = make_agent_socket(context, client, server.public_key, fast);
  EXPECT_EQ(tuned.get(zmq::sockopt::heartbeat_ivl), 200);
}

}  // namespace
}  // namespace cw::transport
