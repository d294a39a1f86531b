// tests/unit/transport/zmq_pipeline_test.cpp — real ZeroMQ over loopback TCP with CURVE: the ZAP
// allow-list admits known keys and refuses (and counts) an unknown one; agents' events reach the
// ingest queue once each and are acknowledged after the "store" commits them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "events/binary_codec.h"
#include "transport/zmq/curve_keys.h"
#include "transport/zmq/event_codec_binding.h"
#include "transport/zmq/zap_handler.h"
#include "transport/zmq/zmq_agent_link.h"
#include "transport/zmq/zmq_collector.h"
#include "transport/zmq/zmq_event_sender.h"

namespace cw::transport {
namespace {

using namespace std::chrono_literals;

MonotonicTime mono_now() {
  return MonotonicTime{
      std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch())};
}

struct Agent {
  pipeline::MemoryOutbox outbox;
  std::unique_ptr<ZmqAgentLink> link;
};

class ZmqPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("cw_zmq_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "authorized");
    server_ = generate_key_pair();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Agent> agent(const std::string& name, const CurveKeyPair& pair,
                               const std::string& endpoint) {
    auto a = std::make_unique<Agent>();
    for (std::uint64_t i = 0; i < 1200; ++i) {
      events::Event e;
      e.timestamp = from_unix_ns(1'700'000'000'000'000'000 + static_cast<std::int64_t>(i));
      e.sequence = a->outbox.next_id();
      e.type = events::EventType::time_drift;
      a->outbox.append(encode_outbox_record(e));
    }
    a->link = std::make_unique<ZmqAgentLink>(
        context_, endpoint, pair, server_.public_key, a->outbox,
        encode_identity({name, {"host", {}}, "test"}), encode_records_as_batch);
    return a;
  }

  std::filesystem::path dir_;
  CurveKeyPair server_;
  zmq::context_t context_{1};
};

// Runs the links and a fake writer (commits everything it pops) until `done` or 20 s.
template <typename Done>
void pump(std::vector<Agent*> agents, IngestQueue& queue, ZmqCollector& collector,
          std::vector<events::Event>& stored, Done done) {
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (!done() && std::chrono::steady_clock::now() < give_up) {
    for (auto* a : agents) {
      a->link->pump(mono_now());
      a->link->on_readable(mono_now());
    }
    std::vector<std::pair<std::string, std::uint64_t>> commits;
    for (auto& batch : queue.pop(100000, 5ms)) {
      if (batch.hello) continue;
      stored.insert(stored.end(), batch.events.begin(), batch.events.end());
      commits.emplace_back(batch.agent_id, batch.next);
    }
    if (!commits.empty()) collector.committed(commits);
  }
}

TEST_F(ZmqPipelineTest, KnownAgentsDeliverOnceAndUnknownKeyIsRefused) {
  auto pair1 = generate_key_pair(), pair2 = generate_key_pair(), stranger = generate_key_pair();
  write_key_pair(dir_ / "authorized", "good-1", pair1);
  write_key_pair(dir_ / "authorized", "good-2", pair2);
  ZapHandler zap(context_, dir_ / "authorized");
  IngestQueue queue(100000);
  ZmqCollector collector(context_, {"tcp://127.0.0.1:*", server_, {}}, binary_collector_codec(),
                         queue);
  collector.start();
  auto a1 = agent("good-1", pair1, collector.endpoint());
  auto a2 = agent("good-2", pair2, collector.endpoint());
  auto a3 = agent("stranger", stranger, collector.endpoint());
  std::vector<events::Event> stored;
  pump({a1.get(), a2.get(), a3.get()}, queue, collector, stored, [&] {
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
  collector.stop();
}

TEST_F(ZmqPipelineTest, AKeyAddedToTheDirectoryIsAdmittedWithoutRestart) {
  ZapHandler zap(context_, dir_ / "authorized");
  IngestQueue queue(100000);
  ZmqCollector collector(context_, {"tcp://127.0.0.1:*", server_, {}}, binary_collector_codec(),
                         queue);
  collector.start();
  auto pair = generate_key_pair();
  auto late = agent("late", pair, collector.endpoint());
  std::vector<events::Event> stored;
  pump({late.get()}, queue, collector, stored, [&] { return zap.stats().refused > 0; });
  ASSERT_GE(zap.stats().refused, 1u);
  write_key_pair(dir_ / "authorized", "late", pair);  // the directory changes → re-read
  pump({late.get()}, queue, collector, stored,
       [&] { return late->outbox.first_pending() == 1201; });
  EXPECT_EQ(stored.size(), 1200u) << "zap: reloads " << zap.stats().reloads << " keys "
                                  << zap.stats().authorized_keys << " refused "
                                  << zap.stats().refused << " accepted " << zap.stats().accepted
                                  << " send failures " << late->link->stats().send_failures
                                  << " hellos " << late->link->stats().session.hellos_sent;
  collector.stop();
}

// A key speaks only for its own name, or for what its .pub file's `agents:` lines grant.
TEST_F(ZmqPipelineTest, AKeyCannotClaimAnotherAgentsId) {
  auto node_a = generate_key_pair(), relay = generate_key_pair();
  write_key_pair(dir_ / "authorized", "node-a", node_a);
  write_key_pair(dir_ / "authorized", "relay", relay);
  std::ofstream(dir_ / "authorized" / "relay.pub", std::ios::app) << "agents: lab-*\n";
  ZapHandler zap(context_, dir_ / "authorized");
  IngestQueue queue(100000);
  CollectorOptions options{"tcp://127.0.0.1:*", server_, {}};
  options.may_claim = [&zap](const std::string& key, const std::string& agent) {
    return zap.may_claim(key, agent);
  };
  ZmqCollector collector(context_, std::move(options), binary_collector_codec(), queue);
  collector.start();
  auto honest = agent("node-a", node_a, collector.endpoint());
  auto forger = agent("node-b", node_a, collector.endpoint());  // node-a's key, node-b's id
  auto relayed = agent("lab-7", relay, collector.endpoint());
  auto beyond = agent("node-c", relay, collector.endpoint());  // not granted to the relay
  std::vector<events::Event> stored;
  pump({honest.get(), forger.get(), relayed.get(), beyond.get()}, queue, collector, stored, [&] {
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
  collector.stop();
}

// The agent restarted with events in its spool: sequences continue, every event arrives once.
TEST_F(ZmqPipelineTest, SenderSpoolsWhileTheCollectorIsAwayAndResendsAfterARestart) {
  auto agent_key = generate_key_pair();
  write_key_pair(dir_ / "authorized", "drift-1", agent_key);
  write_key_pair(dir_, "drift-1", agent_key);
  write_key_pair(dir_, "collector", server_);
  IngestQueue queue(100000);
  ZapHandler zap(context_, dir_ / "authorized");
  ZmqCollector collector(context_, {"tcp://127.0.0.1:*", server_, {}}, binary_collector_codec(),
                         queue);
  SenderOptions options;
  options.collector = collector.endpoint();
  options.key_file = dir_ / "drift-1.key";
  options.collector_key_file = dir_ / "collector.pub";
  options.spool.directory = dir_ / "spool";
  options.identity = {"drift-1", {"host", {}}, "test"};
  options.rate.events_per_second = 10000;
  options.rate.burst = 10000;
  options.heartbeat_interval = std::chrono::hours(1);
  {
    ZmqEventSender sender(options);  // the collector is not running yet
    for (int i = 0; i < 100; ++i) {
      events::Event e;
      e.type = events::EventType::clock_step;
      e.severity = events::Severity::high;
      sender.submit(e);
    }
    std::this_thread::sleep_for(300ms);
  }  // stopped: agent_start, heartbeat, 100 events, agent_stop are in the spool
  collector.start();
  ZmqEventSender restarted(options);
  std::vector<events::Event> stored;
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < give_up && stored.size() < 104) {
    std::vector<std::pair<std::string, std::uint64_t>> commits;
    for (auto& batch : queue.pop(100000, 20ms)) {
      if (batch.hello) continue;
      stored.insert(stored.end(), batch.events.begin(), batch.events.end());
      commits.emplace_back(batch.agent_id, batch.next);
    }
    if (!commits.empty()) collector.committed(commits);
  }
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
  collector.stop();
}

}  // namespace
}  // namespace cw::transport
