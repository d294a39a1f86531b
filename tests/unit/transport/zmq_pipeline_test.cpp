// tests/unit/transport/zmq_pipeline_test.cpp — real ZeroMQ over loopback TCP with CURVE: the ZAP
// allow-list admits known keys and refuses (and counts) an unknown one; agents' events reach the
// ingest queue once each and are acknowledged after the "store" commits them (the collector is
// tests/unit/transport/collector_fixture.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "collector_fixture.h"
#include "events/binary_codec.h"
#include "support/fake_clock.h"
#include "transport/zmq/curve_keys.h"
#include "transport/zmq/event_codec_binding.h"
#include "transport/zmq/zap_handler.h"
#include "transport/zmq/zmq_agent_link.h"
#include "transport/zmq/zmq_collector.h"
#include "transport/zmq/zmq_event_sender.h"

namespace cw::transport {
namespace {

using namespace std::chrono_literals;

using testing::Agent;
using testing::mono_now;

class ZmqPipelineTest : public ::testing::Test {
 protected:
  std::unique_ptr<Agent> agent(const std::string& name, const CurveKeyPair& pair,
                               const std::string& endpoint, const LinkTiming& timing = {}) {
    auto a = std::make_unique<Agent>();
    for (std::uint64_t i = 0; i < 1200; ++i) {
      events::Event e;
      e.timestamp = from_unix_ns(1'700'000'000'000'000'000 + static_cast<std::int64_t>(i));
      e.sequence = a->outbox.next_id();
      e.type = events::EventType::time_drift;
      a->outbox.append(encode_outbox_record(e));
    }
    a->link =
        std::make_unique<ZmqAgentLink>(context_, endpoint, pair, hub_.key().public_key, a->outbox,
                                       encode_identity({name, {"host", {}}, "test"}),
                                       encode_records_as_batch, pipeline::SessionOptions{}, timing);
    return a;
  }

  zmq::context_t context_{1};
  testing::TestCollector hub_{context_};
};

// Runs the links and a fake writer (commits everything it pops) until `done` or 20 s.
void pump(std::vector<Agent*> agents, testing::TestCollector& hub,
          const std::function<bool()>& done) {
  hub.store_until(done, 5ms, [&] {
    for (auto* a : agents) {
      a->link->pump(mono_now());
      a->link->on_readable(mono_now());
    }
  });
}

TEST_F(ZmqPipelineTest, KnownAgentsDeliverOnceAndUnknownKeyIsRefused) {
  auto pair1 = hub_.add_agent("good-1"), pair2 = hub_.add_agent("good-2");
  auto stranger = generate_key_pair();
  hub_.start();
  auto& zap = hub_.zap();
  auto& stored = hub_.stored;
  auto a1 = agent("good-1", pair1, hub_.endpoint());
  auto a2 = agent("good-2", pair2, hub_.endpoint());
  auto a3 = agent("stranger", stranger, hub_.endpoint());
  pump({a1.get(), a2.get(), a3.get()}, hub_, [&] {
    return a1->outbox.first_pending() == 1201 && a2->outbox.first_pending() == 1201 &&
           zap.stats().refused > 0;
  });
  EXPECT_EQ(a1->outbox.first_pending(), 1201u);  // all acknowledged
  EXPECT_EQ(a2->outbox.first_pending(), 1201u);
  EXPECT_EQ(a3->outbox.first_pending(), 1u);  // nothing got through
  EXPECT_EQ(stored.size(), 2400u);
  std::map<std::string, std::uint64_t> count;
  for (const auto& e : stored) ++count[e.agent_id];
  EXPECT_EQ(count["good-1"], 1200u);
  EXPECT_EQ(count["good-2"], 1200u);
  EXPECT_EQ(count.count("stranger"), 0u);
  EXPECT_GE(zap.stats().refused, 1u);
  EXPECT_GE(zap.stats().accepted, 2u);
}

TEST_F(ZmqPipelineTest, AKeyAddedToTheDirectoryIsAdmittedWithoutRestart) {
  hub_.start();
  auto& zap = hub_.zap();
  auto& stored = hub_.stored;
  auto pair = generate_key_pair();
  LinkTiming quick;  // a refused handshake is retried after the handshake timeout (30 s)
  quick.handshake_timeout = 1s;
  auto late = agent("late", pair, hub_.endpoint(), quick);
  pump({late.get()}, hub_, [&] { return zap.stats().refused > 0; });
  ASSERT_GE(zap.stats().refused, 1u);
  write_key_pair(hub_.authorized(), "late", pair);  // the directory changes → re-read
  pump({late.get()}, hub_, [&] { return late->outbox.first_pending() == 1201; });
  EXPECT_EQ(stored.size(), 1200u) << "zap: reloads " << zap.stats().reloads << " keys "
                                  << zap.stats().authorized_keys << " refused "
                                  << zap.stats().refused << " accepted " << zap.stats().accepted
                                  << " send failures " << late->link->stats().send_failures
                                  << " hellos " << late->link->stats().session.hellos_sent;
}

// A key speaks only for its own name, or for what its .pub file's `agents:` lines grant.
TEST_F(ZmqPipelineTest, AKeyCannotClaimAnotherAgentsId) {
  auto node_a = hub_.add_agent("node-a"), relay = hub_.add_agent("relay");
  std::ofstream(hub_.authorized() / "relay.pub", std::ios::app) << "agents: lab-*\n";
  hub_.open(/*check_claims=*/true);
  hub_.start();
  auto& zap = hub_.zap();
  auto& collector = hub_.collector();
  auto& stored = hub_.stored;
  auto honest = agent("node-a", node_a, hub_.endpoint());
  auto forger = agent("node-b", node_a, hub_.endpoint());  // node-a's key, node-b's id
  auto relayed = agent("lab-7", relay, hub_.endpoint());
  auto beyond = agent("node-c", relay, hub_.endpoint());  // not granted to the relay
  pump({honest.get(), forger.get(), relayed.get(), beyond.get()}, hub_, [&] {
    return honest->outbox.first_pending() == 1201 && relayed->outbox.first_pending() == 1201 &&
           collector.stats().claims_refused >= 2;
  });
  EXPECT_EQ(honest->outbox.first_pending(), 1201u);
  EXPECT_EQ(relayed->outbox.first_pending(), 1201u);
  EXPECT_EQ(forger->outbox.first_pending(), 1u);
  EXPECT_EQ(beyond->outbox.first_pending(), 1u);
  std::map<std::string, std::uint64_t> count;
  for (const auto& e : stored) ++count[e.agent_id];
  EXPECT_EQ(count, (std::map<std::string, std::uint64_t>{{"lab-7", 1200}, {"node-a", 1200}}));
  EXPECT_GE(collector.stats().claims_refused, 2u);
  EXPECT_EQ(collector.stats().malformed_frames, 0u);
  EXPECT_TRUE(zap.may_claim("relay", "lab-1"));
  EXPECT_FALSE(zap.may_claim("relay", "node-a"));
  EXPECT_FALSE(zap.may_claim("unknown", "lab-1"));
}

// The agent restarted with events in its spool: sequences continue, every event arrives once.
// The collector forgets a connection silent for 10 minutes (its next batch must say hello again),
// by its injected clock: here a fake one, moved by the test while the collector's loop runs.
TEST(ZmqCollectorClock, AnIdleConnectionIsForgottenAfterTenMinutesOfTheInjectedClock) {
  cw::testing::FakeClock clock;
  zmq::context_t context{1};
  testing::TestCollector hub{context, &clock};
  const auto pair = hub.add_agent("idle-1");
  hub.start();
  pipeline::MemoryOutbox outbox;
  events::Event e;
  e.sequence = outbox.next_id();
  e.type = events::EventType::heartbeat;
  outbox.append(encode_outbox_record(e));
  ZmqAgentLink link(context, hub.endpoint(), pair, hub.key().public_key, outbox,
                    encode_identity({"idle-1", {"host", {}}, "test"}), encode_records_as_batch);
  hub.store_until([&] { return outbox.first_pending() == 2; }, 5ms,
                  [&] {
                    link.pump(mono_now());
                    link.on_readable(mono_now());
                  });
  ASSERT_TRUE(testing::eventually([&] { return hub.collector().stats().connections == 1; }));
  clock.advance(9min);  // not idle long enough: kept
  EXPECT_FALSE(
      testing::eventually([&] { return hub.collector().stats().connections == 0; }, 300ms));
  clock.advance(2min);
  EXPECT_TRUE(testing::eventually([&] { return hub.collector().stats().connections == 0; }));
}

TEST_F(ZmqPipelineTest, SenderSpoolsWhileTheCollectorIsAwayAndResendsAfterARestart) {
  hub_.add_agent("drift-1");
  SenderOptions options;
  options.collector = hub_.endpoint();
  options.key_file = hub_.dir() / "drift-1.key";
  options.collector_key_file = hub_.public_key_file();
  options.spool.directory = hub_.dir() / "spool";
  options.identity = {"drift-1", {"host", {}}, "test"};
  options.rate.events_per_second = 10000;
  options.rate.burst = 10000;
  options.heartbeat_interval = std::chrono::hours(1);
  {
    platform::SystemClock clock;
    ZmqEventSender sender(options, clock);  // the collector is not running yet
    for (int i = 0; i < 100; ++i) {
      events::Event e;
      e.type = events::EventType::clock_step;
      e.severity = events::Severity::high;
      sender.submit(e);
    }
    // agent_start, the first heartbeat and the 100 events are in the spool before it stops.
    ASSERT_TRUE(testing::eventually([&] { return sender.stats().spool.pending_records >= 102; }));
  }  // stopped: agent_start, heartbeat, 100 events, agent_stop are in the spool
  hub_.start();
  platform::SystemClock clock;
  ZmqEventSender restarted(options, clock);
  auto& stored = hub_.stored;
  hub_.store_until([&] { return stored.size() >= 104; });
  // First run: start, heartbeat, 100 steps, stop; second: start, heartbeat (may still be coming).
  ASSERT_GE(stored.size(), 104u);
  std::map<events::EventType, int> by_type;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(stored[i].sequence, i + 1);  // contiguous, once each, across the restart
    ++by_type[stored[i].type];
  }
  EXPECT_EQ(by_type[events::EventType::clock_step], 100);
  EXPECT_EQ(by_type[events::EventType::agent_stop], 1);
  EXPECT_GE(by_type[events::EventType::agent_start], 1);
}

}  // namespace
}  // namespace cw::transport
