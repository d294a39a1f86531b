// tests/unit/transport/zmq_connect_storm_test.cpp — a fleet connecting at once (as after a
// collector restart): an agent leaves a slow connection or handshake to libzmq instead of tearing
// it down and queueing it again (LinkTiming::handshake_timeout), and 200 agents connecting in the
// same instant are each admitted with one handshake and acknowledged (the listen backlog and the
// collector's timer-free sockets, transport/zmq/zmq_sockets.h).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collector_fixture.h"
#include "core/unique_fd.h"
#include "events/binary_codec.h"
#include "pipeline/envelope.h"
#include "transport/zmq/curve_keys.h"
#include "transport/zmq/event_codec_binding.h"
#include "transport/zmq/zmq_agent_link.h"

namespace cw::transport {
namespace {

using namespace std::chrono_literals;

using testing::Agent;
using testing::mono_now;

std::unique_ptr<Agent> make_agent(zmq::context_t& context, const std::string& endpoint,
                                  const CurveKeyPair& pair, const std::string& server_key,
                                  const std::string& name) {
  auto agent = std::make_unique<Agent>();
  events::Event event;
  event.timestamp = from_unix_ns(1'700'000'000'000'000'000);
  event.sequence = agent->outbox.next_id();
  event.type = events::EventType::time_drift;
  agent->outbox.append(encode_outbox_record(event));
  agent->link = std::make_unique<ZmqAgentLink>(context, endpoint, pair, server_key, agent->outbox,
                                               encode_identity({name, {"host", {}}, "test"}),
                                               encode_records_as_batch, pipeline::SessionOptions{},
                                               LinkTiming{}, name);
  return agent;
}

// A TCP listener that never accepts: the kernel completes the connection, nobody answers the
// ZMTP greeting, so the agent's handshake stays in progress.
struct SilentListener {
  UniqueFd fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  int port = 0;
  SilentListener() {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::listen(fd.get(), 16) != 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0)
      throw std::runtime_error("listener");
    port = ntohs(address.sin_port);
  }
};

TEST(ZmqConnectStorm, ASlowHandshakeIsLeftToLibzmqUntilTheHandshakeTimeout) {
  SilentListener listener;
  zmq::context_t context(1);
  const auto server = generate_key_pair(), client = generate_key_pair();
  auto agent = make_agent(context, "tcp://127.0.0.1:" + std::to_string(listener.port), client,
                          server.public_key, "slow");
  const LinkTiming defaults;
  ASSERT_EQ(defaults.handshake_timeout, 30s);
  // The link's clock is what pump() is given: 29.9 s of it pass in a few milliseconds.
  const auto start = mono_now();
  for (auto at = start; at < start + defaults.handshake_timeout - 100ms; at += 100ms) {
    agent->link->pump(at);
    agent->link->on_readable(at);
  }
  EXPECT_GT(agent->link->stats().send_failures, 0u) << "the hello could be sent: no handshake?";
  EXPECT_EQ(agent->link->stats().reconnects, 0u) << "a handshake in progress was torn down";
  // After the handshake timeout libzmq would have retried a slow one by itself: what still cannot
  // send was refused (a key not yet authorized), and the link connects anew.
  for (auto at = start + defaults.handshake_timeout; at < start + defaults.handshake_timeout + 10s;
       at += 100ms) {
    agent->link->pump(at);
    agent->link->on_readable(at);
  }
  EXPECT_EQ(agent->link->stats().reconnects, 1u);
}

TEST(ZmqConnectStorm, TwoHundredAgentsConnectingAtOnceAreEachAdmittedOnce) {
  constexpr int kAgents = 200;
  zmq::context_t collector_context(1), fleet_context(1);
  testing::TestCollector hub(collector_context);
  std::vector<CurveKeyPair> pairs;
  for (int i = 0; i < kAgents; ++i) pairs.push_back(hub.add_agent("storm-" + std::to_string(i)));
  hub.start();
  std::vector<std::unique_ptr<Agent>> fleet;
  for (int i = 0; i < kAgents; ++i)  // every connect(2) within a few milliseconds
    fleet.push_back(make_agent(fleet_context, hub.endpoint(), pairs[static_cast<std::size_t>(i)],
                               hub.key().public_key, "storm-" + std::to_string(i)));
  const auto all_acknowledged = [&] {
    for (const auto& agent : fleet)
      if (agent->outbox.first_pending() != 2) return false;
    return true;
  };
  // 20 s (store_until's bound) for 200 handshakes: a loaded machine does them in a few.
  const bool done = hub.store_until(all_acknowledged, 5ms, [&] {
    const auto now = mono_now();
    for (auto& agent : fleet) {
      agent->link->pump(now);
      agent->link->on_readable(now);
    }
  });
  std::uint64_t reconnects = 0;
  int acknowledged = 0;
  for (const auto& agent : fleet) {
    reconnects += agent->link->stats().reconnects;
    acknowledged += agent->outbox.first_pending() == 2 ? 1 : 0;
  }
  EXPECT_TRUE(done) << acknowledged << " of " << kAgents << " acknowledged";
  EXPECT_EQ(hub.stored.size(), static_cast<std::size_t>(kAgents));
  EXPECT_EQ(reconnects, 0u);
  // One handshake per agent: none torn down by its agent, none timed out, none redone.
  EXPECT_EQ(hub.zap().stats().accepted, static_cast<std::uint64_t>(kAgents));
}

// A hello repeated on the same connection (its welcome was slow) is welcomed again, and counted,
// without another record for the writer: in a storm each repeat was one more store write.
TEST(ZmqConnectStorm, AHelloRepeatedOnOneConnectionIsWelcomedWithoutAnotherRecord) {
  zmq::context_t context(1);
  testing::TestCollector hub(context);
  const auto pair = hub.add_agent("twice");
  hub.start();
  auto dealer = make_agent_socket(context, pair, hub.key().public_key);
  dealer.set(zmq::sockopt::rcvtimeo, 10000);
  dealer.connect(hub.endpoint());
  const auto hello = pipeline::encode_message(pipeline::MessageKind::hello, 1,
                                              encode_identity({"twice", {"host", {}}, "test"}));
  bool sent = false;  // eventually() asks once more at the end: send only until one is queued
  ASSERT_TRUE(testing::eventually([&] {
    return sent = sent || dealer.send(zmq::buffer(hello), zmq::send_flags::dontwait).has_value();
  }));
  ASSERT_TRUE(dealer.send(zmq::buffer(hello), zmq::send_flags::none));
  for (int i = 0; i < 2; ++i) {
    zmq::message_t welcome;
    ASSERT_TRUE(dealer.recv(welcome)) << "welcome " << i + 1;
    const auto message =
        pipeline::decode_message({static_cast<const std::byte*>(welcome.data()), welcome.size()});
    ASSERT_TRUE(message);
    EXPECT_EQ(message->kind, pipeline::MessageKind::welcome);
  }
  ASSERT_TRUE(testing::eventually([&] { return hub.collector().stats().hellos == 2; }));
  EXPECT_EQ(hub.collector().stats().hellos_repeated, 1u);
  EXPECT_EQ(hub.hellos_recorded(), 1u);
}

}  // namespace
}  // namespace cw::transport
