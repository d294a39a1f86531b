// apps/history/replay_sender.cpp — the replay's ZeroMQ side (see replay_sender.h): one thread, one
// link per original agent, events fed to the links when their (scaled) time comes.
#include "apps/history/replay_sender.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>
#include <thread>
#include <zmq.hpp>

#include "pipeline/sparse_outbox.h"
#include "store/replay.h"
#include "transport/zmq/curve_keys.h"
#include "transport/zmq/event_codec_binding.h"
#include "transport/zmq/zmq_agent_link.h"

namespace cw::apps {
namespace {

using namespace std::chrono_literals;
// Events read ahead of their acknowledgement, all agents together: with --speed 0 a long history
// is not read into memory at once, the store is read as fast as the receiver acknowledges.
constexpr std::size_t kMaxPending = 100000;

struct ReplayedAgent {
  ReplayAgentResult result;
  std::uint64_t held_below = 0;  // the receiver's first welcome: it already stores all below
  pipeline::SparseOutbox outbox;
  std::unique_ptr<transport::ZmqAgentLink> link;
};

class ReplayLinks {
 public:
  ReplayLinks(store::EventStore& store, const ReplaySendOptions& options, Clock& clock)
      : store_(store),
        options_(options),
        clock_(clock),
        key_(transport::read_secret_key_file(options.key_file)),
        collector_key_(transport::read_key_file(options.collector_key_file)) {}

  // Hands one stored event to its agent's connection (opened on the agent's first event).
  void feed(const events::Event& event) {
    if (event.sequence & events::kCollectorSequenceBit) {
      ++collector_made_;
      return;
    }
    auto& agent = agents_[event.agent_id];
    if (event.sequence < agent.held_below) {  // stored there already (an earlier replay): done
      if (agent.result.sent++ == 0) agent.result.first_sequence = event.sequence;
      agent.result.last_sequence = event.sequence;
      ++agent.result.already_held;
      return;
    }
    if (!agent.outbox.append(event.sequence, transport::encode_outbox_record(event))) {
      if (agent.result.out_of_order++ == 0)
        spdlog::warn(
            "replay: {} #{} comes after a higher sequence of that agent (its clock went "
            "back); the receiving collector would take it as a duplicate: not sent",
            event.agent_id, event.sequence);
      return;
    }
    if (agent.result.sent++ == 0) agent.result.first_sequence = event.sequence;
    agent.result.last_sequence = event.sequence;
    if (!agent.link) open(event.agent_id, agent);
  }

  void pump(MonotonicTime now) {
    for (auto& [id, agent] : agents_) agent.link->pump(now);
  }

  void wait(Duration timeout) {
    std::vector<zmq::pollitem_t> items;
    std::vector<ReplayedAgent*> owners;
    for (auto& [id, agent] : agents_) {
      items.push_back({agent.link->socket().handle(), 0, ZMQ_POLLIN, 0});
      owners.push_back(&agent);
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
    if (items.empty()) {
      std::this_thread::sleep_for(ms);
      return;
    }
    zmq::poll(items, ms);
    const auto now = clock_.monotonic_now();
    for (std::size_t i = 0; i < items.size(); ++i)
      if (items[i].revents & ZMQ_POLLIN) owners[i]->link->on_readable(now);
  }

  std::size_t pending() const {
    std::size_t total = 0;
    for (const auto& [id, agent] : agents_) total += agent.outbox.pending();
    return total;
  }

  ReplaySendResult result() const {
    ReplaySendResult out;
    out.collector_made = collector_made_;
    for (const auto& [id, agent] : agents_) {
      auto r = agent.result;
      r.acknowledged = r.sent - agent.outbox.pending();
      out.agents.push_back(std::move(r));
    }
    return out;
  }

 private:
  void open(const std::string& agent_id, ReplayedAgent& agent) {
    agent.result.agent_id = agent_id;
    auto identity = events::AgentIdentity{agent_id, {}, "replay"};
    if (auto record = store_.agent(agent_id)) identity = record->identity;
    pipeline::SessionOptions session;
    session.on_first_welcome = [&agent](std::uint64_t next) { agent.held_below = next; };
    agent.link = std::make_unique<transport::ZmqAgentLink>(
        context_, options_.endpoint, key_, collector_key_, agent.outbox,
        transport::encode_identity(identity), transport::encode_records_as_batch, session,
        options_.timing, agent_id);
    spdlog::info("replay: sending {}'s events from #{}", agent_id, agent.result.first_sequence);
  }

  store::EventStore& store_;
  const ReplaySendOptions& options_;
  Clock& clock_;
  transport::CurveKeyPair key_;
  std::string collector_key_;
  zmq::context_t context_{1};
  std::map<std::string, ReplayedAgent> agents_;
  std::uint64_t collector_made_ = 0;
};

}  // namespace

bool ReplaySendResult::complete() const {
  for (const auto& agent : agents)
    if (agent.acknowledged != agent.sent) return false;
  return true;
}

ReplaySendResult send_replay(store::EventStore& store, Timestamp from, Timestamp until,
                             const ReplaySendOptions& options, const std::atomic<bool>& stop,
                             Clock& clock) {
  ReplayLinks links{store, options, clock};
  store::ReplayCursor cursor{store, from, until};
  auto next = cursor.next();
  const auto first = next ? next->timestamp : Timestamp{};
  const auto start = clock.monotonic_now();
  std::optional<MonotonicTime> give_up;
  while (!stop) {
    auto now = clock.monotonic_now();
    for (auto room = kMaxPending - std::min(kMaxPending, links.pending());
         next && room > 0 &&
         start + store::replay_due(first, next->timestamp, options.speed) <= now;
         next = cursor.next(), --room)
      links.feed(*next);
    if (!next) {
      if (!give_up) give_up = now + from_seconds(options.drain);
      if (links.pending() == 0 || now > *give_up) break;
    }
    links.pump(now);
    Duration timeout = 10ms;
    if (next)
      timeout = std::clamp<Duration>(
          start + store::replay_due(first, next->timestamp, options.speed) - now, Duration{0},
          Duration{10ms});
    links.wait(timeout);
  }
  auto result = links.result();
  result.elapsed_seconds = to_seconds(clock.monotonic_now() - start);
  return result;
}

}  // namespace cw::apps
