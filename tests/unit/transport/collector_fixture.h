// tests/unit/transport/collector_fixture.h — a real collector on loopback for the transport tests:
// a private directory (removed afterwards), the collector's CURVE key pair (DIR/collector.key and
// .pub), its ZAP allow-list DIR/authorized, the ingest queue, and a fake store that keeps every
// event it pops and acknowledges it, as the collector's writer does after a commit.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "platform/system_clock.h"
#include "support/temp_dir.h"
#include "transport/zmq/curve_keys.h"
#include "transport/zmq/event_codec_binding.h"
#include "transport/zmq/zap_handler.h"
#include "transport/zmq/zmq_agent_link.h"
#include "transport/zmq/zmq_collector.h"

namespace cw::transport::testing {

class TestCollector {
 public:
  // `clock`: the collector's and the ZAP handler's (default: the system's).
  explicit TestCollector(zmq::context_t& context, Clock* clock = nullptr)
      : context_(context),
        clock_(clock != nullptr ? *clock : system_clock_),
        key_(generate_key_pair()) {
    std::filesystem::create_directories(authorized());
    write_key_pair(dir_.path(), "collector", key_);
  }
  ~TestCollector() {
    if (collector_) collector_->stop();
  }

  // Reads the allow-list and binds (the endpoint is known from here on); start() receives.
  // check_claims: a key may speak only for the agent ids its .pub file grants (ZapHandler).
  void open(bool check_claims = false) {
    zap_ = std::make_unique<ZapHandler>(context_, authorized(), clock_);
    CollectorOptions options{"tcp://127.0.0.1:*", key_, {}};
    if (check_claims)
      options.may_claim = [zap = zap_.get()](const std::string& key, const std::string& agent) {
        return zap->may_claim(key, agent);
      };
    collector_ = std::make_unique<ZmqCollector>(context_, std::move(options),
                                                binary_collector_codec(), queue_, clock_);
  }
  void start() {
    if (!collector_) open();
    collector_->start();
  }
  std::string endpoint() {
    if (!collector_) open();
    return collector_->endpoint();
  }

  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path authorized() const { return dir_ / "authorized"; }
  std::filesystem::path public_key_file() const { return dir_ / "collector.pub"; }
  const CurveKeyPair& key() const { return key_; }
  // Writes an agent's key pair: DIR/NAME.key and .pub, and (authorize) its .pub in the allow-list.
  CurveKeyPair add_agent(const std::string& name, bool authorize = true) {
    const auto pair = generate_key_pair();
    write_key_pair(dir_.path(), name, pair);
    if (authorize) write_key_pair(authorized(), name, pair);
    return pair;
  }

  ZapHandler& zap() { return *zap_; }
  ZmqCollector& collector() { return *collector_; }

  // Takes what arrived within `wait`, keeps it in `stored` and acknowledges it.
  void store_arrived(std::chrono::milliseconds wait) {
    std::vector<std::pair<std::string, std::uint64_t>> commits;
    for (auto& batch : queue_.pop(100000, wait)) {
      if (batch.hello) {
        ++hellos_recorded_;
        continue;
      }
      stored.insert(stored.end(), batch.events.begin(), batch.events.end());
      commits.emplace_back(batch.agent_id, batch.next);
    }
    if (!commits.empty()) collector_->committed(commits);
  }
  // store_arrived() until done() or 20 s (`between` runs in each round: agents' links, say).
  // Returns done().
  bool store_until(const std::function<bool()>& done,
                   std::chrono::milliseconds wait = std::chrono::milliseconds(20),
                   const std::function<void()>& between = {}) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done() && std::chrono::steady_clock::now() < give_up) {
      if (between) between();
      store_arrived(wait);
    }
    return done();
  }

  std::vector<events::Event> stored;
  // Agent records the collector queued for the writer (one per new connection's hello), taken
  // by store_arrived(); reads the queue once first.
  std::size_t hellos_recorded() {
    store_arrived(std::chrono::milliseconds(50));
    return hellos_recorded_;
  }

 private:
  std::size_t hellos_recorded_ = 0;
  zmq::context_t& context_;
  platform::SystemClock system_clock_;
  Clock& clock_;  // outlives the ZAP handler and the collector
  cw::testing::TempDir dir_{"cw-collector"};
  CurveKeyPair key_;
  IngestQueue queue_{100000};
  std::unique_ptr<ZapHandler> zap_;
  std::unique_ptr<ZmqCollector> collector_;
};

// The steady clock as the links' MonotonicTime.
inline MonotonicTime mono_now() {
  return MonotonicTime{
      std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch())};
}

// An agent of the tests: its events in memory, its link to the collector.
struct Agent {
  pipeline::MemoryOutbox outbox;
  std::unique_ptr<ZmqAgentLink> link;
};

// Polls `condition` every few milliseconds until it holds or `timeout` passes; returns it.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (!condition() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return condition();
}

}  // namespace cw::transport::testing
