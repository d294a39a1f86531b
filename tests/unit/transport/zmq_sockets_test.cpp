// tests/unit/transport/zmq_sockets_test.cpp — the socket options docs/pipeline.md promises, read
// back from real libzmq sockets: ZMTP heartbeats (5 s, 15 s timeout and TTL), reconnect back-off
// (100 ms to 5 s), linger 0 on both ends; CURVE server + ZAP domain + 16 MiB frame limit on the
// collector's ROUTER; CURVE client and ZMQ_IMMEDIATE (the spool is the queue) on an agent's DEALER.
#include "transport/zmq/zmq_sockets.h"

#include <gtest/gtest.h>

#include "transport/zmq/curve_keys.h"

namespace cw::transport {
namespace {

void expect_timing(zmq::socket_t& socket) {
  EXPECT_EQ(socket.get(zmq::sockopt::heartbeat_ivl), 5000);
  EXPECT_EQ(socket.get(zmq::sockopt::heartbeat_timeout), 15000);
  EXPECT_EQ(socket.get(zmq::sockopt::heartbeat_ttl), 15000);
  EXPECT_EQ(socket.get(zmq::sockopt::reconnect_ivl), 100);
  EXPECT_EQ(socket.get(zmq::sockopt::reconnect_ivl_max), 5000);
  EXPECT_EQ(socket.get(zmq::sockopt::linger), 0);
}

TEST(ZmqSockets, TheCollectorsRouterIsACurveServerBehindZap) {
  zmq::context_t context(1);
  const auto server = generate_key_pair();
  auto socket = make_collector_socket(context, server);
  expect_timing(socket);
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
