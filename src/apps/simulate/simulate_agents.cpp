// apps/simulate/simulate_agents.cpp — `chronowatch simulate`'s engine: N agents, one thread, real
// CURVE sockets and the real agent session; synthesized clock and network events, heartbeats.
#include "apps/simulate/simulate_agents.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <stdexcept>
#include <thread>
#include <zmq.hpp>

#include "events/binary_codec.h"
#include "pipeline/failover.h"
#include "platform/epoll_set.h"
#include "transport/zmq/curve_keys.h"
#include "transport/zmq/event_codec_binding.h"
#include "transport/zmq/zmq_agent_link.h"

namespace cw::apps {
namespace {

using namespace std::chrono_literals;

constexpr auto kTurn = 10ms;      // events are generated and sent in turns this long
constexpr auto kAnswerGap = 1ms;  // acknowledgements are read at most this often

// Memory outbox that keeps only each event's creation time; its records carry no payload (the
// encoder asks the outbox for the time and synthesizes the event from (sequence, time)). Without
// durable numbering, a simulated agent continues the sequence numbers the collector already holds
// for its name (first welcome).
class SimulatedOutbox final : public pipeline::Outbox {
 public:
  struct Stamp {
    std::int64_t at_ns;
    bool heartbeat;
  };
  void append(Timestamp at, bool heartbeat = false) { stamps_.push_back({unix_ns(at), heartbeat}); }
  void rebase(std::uint64_t next) { first_ = std::max(first_, next), generated_from_ = first_; }
  std::uint64_t generated_from() const { return generated_from_; }
  std::uint64_t next_id() const override { return first_ + stamps_.size(); }
  std::uint64_t first_pending() const override { return first_; }
  Stamp stamp(std::uint64_t id) const {
    return id >= first_ && id < next_id() ? stamps_[id - first_] : Stamp{0, false};
  }
  std::vector<pipeline::OutboxRecord> read_from(std::uint64_t from,
                                                std::size_t max) const override {
    std::vector<pipeline::OutboxRecord> out;
    const auto begin = std::max(from, first_);
    out.reserve(std::min<std::uint64_t>(max, next_id() - std::min(begin, next_id())));
    for (auto id = begin; id < next_id() && out.size() < max; ++id) out.push_back({id, {}});
    return out;
  }
  void acknowledge_below(std::uint64_t next) override {
    while (first_ < next && !stamps_.empty()) stamps_.pop_front(), ++first_;
  }

 private:
  std::uint64_t first_ = 1, generated_from_ = 1;
  std::deque<Stamp> stamps_;
};

// As the agent's (transport/zmq/zmq_event_sender.cpp): its interval in whole seconds, rounded up.
events::Event heartbeat_event(std::int64_t interval_s) {
  events::Event event;
  event.type = events::EventType::heartbeat;
  events::HeartbeatData data;
  data.connected = true;
  event.data = data;
  event.attributes.push_back({"version", std::string{"simulate"}});
  event.attributes.push_back({"heartbeat_interval_s", interval_s});
  return event;
}

events::Event synthesize(std::uint64_t sequence, SimulatedOutbox::Stamp stamp,
                         std::int64_t interval_s) {
  events::Event event;
  if (stamp.heartbeat) event = heartbeat_event(interval_s);
  event.timestamp = from_unix_ns(stamp.at_ns);
  event.sequence = sequence;
  if (stamp.heartbeat) {
    return event;
  } else if (sequence % 50 == 0) {
    event.type = events::EventType::port_scan;
    event.severity = events::Severity::high;
    events::NetworkData data;
    data.source = IpAddress::v4(0x0a000000u | static_cast<std::uint32_t>(sequence % 65000));
    data.ports = {22, 23, 502, 3389};
    data.count = 15;
    event.data = data;
  } else {
    event.type = events::EventType::time_drift;
    event.severity = events::Severity::low;
    events::ClockData data;
    data.server = "127.0.0.1:123";
    data.offset = Duration{static_cast<std::int64_t>(sequence % 1000) * 1000 + 150'000'000};
    data.delay = 250us;
    data.threshold = 100ms;
    data.stratum = 2;
    event.data = data;
  }
  return event;
}

std::vector<std::byte> encode_synthesized(const SimulatedOutbox& outbox,
                                          std::span<const pipeline::OutboxRecord> records,
                                          std::int64_t interval_s, SimulatedStages& stages) {
  std::vector<events::Event> batch;
  batch.reserve(records.size());
  const auto sent_ns = unix_ns(std::chrono::system_clock::now());
  for (const auto& record : records) {
    const auto stamp = outbox.stamp(record.id);
    stages.send_wait_ns.push_back(sent_ns - stamp.at_ns);
    batch.push_back(synthesize(record.id, stamp, interval_s));
  }
  std::vector<std::byte> out;
  out.reserve(32 * records.size() + 64);
  events::encode_batch(batch, out);
  return out;
}

struct SimulatedAgent {
  std::string name;
  SimulatedOutbox outbox;
  std::unique_ptr<transport::ZmqAgentLink> link;
  std::uint64_t generated = 0;   // at --rate
  std::uint64_t heartbeats = 0;  // at --heartbeat-interval
  std::chrono::steady_clock::time_point next_heartbeat;
  bool stopped = false;
  transport::LinkStats last_stats{};  // when it stopped
};

std::unique_ptr<SimulatedAgent> make_agent(zmq::context_t& context, const SimulateOptions& options,
                                           const std::string& collector_key, int index,
                                           SimulatedStages& stages) {
  auto agent = std::make_unique<SimulatedAgent>();
  agent->name = simulated_agent_name(options.prefix, index);
  const auto key =
      transport::read_secret_key_file(std::filesystem::path(options.keys) / (agent->name + ".key"));
  events::AgentIdentity identity{agent->name, {"simulated", {}}, "simulate"};
  pipeline::SessionOptions session;
  session.batch_max_events = options.batch;
  session.window = options.window;
  session.partial_window = options.partial_window;
  session.on_first_welcome = [outbox = &agent->outbox](std::uint64_t next) {
    outbox->rebase(next);
  };
  session.on_round_trip = [&stages](Duration took) {
    stages.round_trip_ns.push_back(took.count());
  };
  const auto& sources = options.sources;
  const auto endpoints =
      sources.empty() ? options.collector
                      : from_source(options.collector,
                                    sources[static_cast<std::size_t>(index - 1) % sources.size()]);
  const auto interval_s = static_cast<std::int64_t>(std::ceil(options.heartbeat_interval));
  agent->link = std::make_unique<transport::ZmqAgentLink>(
      context, endpoints, key, collector_key, agent->outbox, transport::encode_identity(identity),
      [outbox = &agent->outbox, interval_s,
       &stages](std::span<const pipeline::OutboxRecord> records) {
        return encode_synthesized(*outbox, records, interval_s, stages);
      },
      session, options.timing, agent->name);
  return agent;
}

// How many events each agent should have made `since_start` into the run: one at the start, then
// `rate` a second, never more than the run's `total`.
std::uint64_t due_by(double rate, std::chrono::steady_clock::duration since_start,
                     std::uint64_t total) {
  const double elapsed = std::chrono::duration<double>(since_start).count();
  return std::min(static_cast<std::uint64_t>(std::floor(elapsed * rate)) + 1, total);
}

void generate(std::vector<std::unique_ptr<SimulatedAgent>>& agents, std::uint64_t due) {
  const auto wall = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  for (auto& agent : agents)
    if (!agent->stopped)
      for (; agent->generated < due; ++agent->generated) agent->outbox.append(wall);
}

// Agent i's first heartbeat at start + interval * (i - 1) / N, so that they do not come at once.
void schedule_heartbeats(std::vector<std::unique_ptr<SimulatedAgent>>& agents, double interval,
                         std::chrono::steady_clock::time_point start) {
  const auto step = std::chrono::duration<double>(interval) / static_cast<double>(agents.size());
  for (std::size_t i = 0; i < agents.size(); ++i)
    agents[i]->next_heartbeat =
        start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(step * i);
}

void beat(std::vector<std::unique_ptr<SimulatedAgent>>& agents, double interval,
          std::chrono::steady_clock::time_point now) {
  const auto every = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(interval));
  const auto wall = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  for (auto& agent : agents) {
    if (agent->stopped || now < agent->next_heartbeat) continue;
    agent->outbox.append(wall, /*heartbeat=*/true);
    ++agent->heartbeats;
    agent->next_heartbeat += every;
    if (agent->next_heartbeat < now) agent->next_heartbeat = now + every;  // a late loop: no burst
  }
}

// The last `count` agents stop as if killed: no agent_stop, their sockets closed at once.
void stop_subset(std::vector<std::unique_ptr<SimulatedAgent>>& agents, int count) {
  for (std::size_t i =
           agents.size() - std::min<std::size_t>(agents.size(), static_cast<std::size_t>(count));
       i < agents.size(); ++i) {
    auto& agent = *agents[i];
    agent.last_stats = agent.link->stats();
    agent.link->socket().set(zmq::sockopt::linger, 0);
    agent.link.reset();
    agent.stopped = true;
  }
  spdlog::info("simulate: stopped {} agents", count);
}

bool drained(const std::vector<std::unique_ptr<SimulatedAgent>>& agents) {
  for (const auto& agent : agents)
    if (!agent->stopped && agent->outbox.first_pending() != agent->outbox.next_id()) return false;
  return true;
}

}  // namespace

int io_threads_for(int agents) { return std::clamp((agents + 2499) / 2500, 1, 16); }

std::string simulated_agent_name(const std::string& prefix, int index) {
  return fmt::format("{}-{:04}", prefix, index);
}

std::string from_source(const std::string& endpoints, const std::string& source) {
  std::string out;
  for (const auto& endpoint : pipeline::split_collectors({endpoints})) {
    constexpr std::string_view kTcp = "tcp://";
    if (!endpoint.starts_with(kTcp))
      throw std::invalid_argument("a source address needs tcp:// collectors, not " + endpoint);
    if (!out.empty()) out += ',';
    out += fmt::format("tcp://{}:0;{}", source, endpoint.substr(kTcp.size()));
  }
  return out;
}

std::size_t ensure_simulated_keys(const SimulateOptions& options) {
  std::size_t created = 0;
  for (int i = 1; i <= options.agents; ++i) {
    const auto name = simulated_agent_name(options.prefix, i);
    if (std::filesystem::exists(std::filesystem::path(options.keys) / (name + ".key"))) continue;
    transport::write_key_pair(options.keys, name, transport::generate_key_pair());
    ++created;
  }
  return created;
}

SimulateResult run_simulation(const SimulateOptions& options,
                              const std::atomic<bool>& stop_requested) {
  zmq::context_t context(options.io_threads > 0 ? options.io_threads
                                                : io_threads_for(options.agents));
  context.set(zmq::ctxopt::max_sockets, options.agents + 64);  // libzmq's default: 1023
  const auto collector_key = transport::read_key_file(options.collector_key);
  SimulateResult result;
  std::vector<std::unique_ptr<SimulatedAgent>> agents;
  for (int i = 1; i <= options.agents; ++i)
    agents.push_back(make_agent(context, options, collector_key, i, result.stages));
  const auto start = std::chrono::steady_clock::now();
  const auto generation_end = start + std::chrono::duration<double>(options.duration);
  const auto give_up = generation_end + std::chrono::duration<double>(options.drain);
  const auto total = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::llround(options.rate * options.duration)));
  const auto stop_at = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                   std::chrono::duration<double>(options.stop_at));
  bool subset_stopped = options.stop_agents == 0;
  if (options.heartbeat_interval > 0)
    schedule_heartbeats(agents, options.heartbeat_interval, start);
  platform::EpollSet readiness;  // each socket's ZMQ_FD: a cost per active agent, not per agent
  for (std::size_t i = 0; i < agents.size(); ++i)
    readiness.add(agents[i]->link->socket().get(zmq::sockopt::fd), static_cast<std::uint32_t>(i));
  std::vector<std::uint32_t> ready;
  auto last_sweep = start;
  while (!stop_requested) {
    const auto now = std::chrono::steady_clock::now();
    const auto mono = MonotonicTime{std::chrono::duration_cast<Duration>(now.time_since_epoch())};
    const bool generating = now < generation_end;
    // The last turn tops up to the whole run's count, however late the loop woke.
    if (!subset_stopped && now >= stop_at) stop_subset(agents, options.stop_agents);
    subset_stopped = subset_stopped || now >= stop_at;
    generate(agents, generating ? due_by(options.rate, now - start, total) : total);
    if (generating && options.heartbeat_interval > 0) beat(agents, options.heartbeat_interval, now);
    if (!generating && (drained(agents) || now > give_up)) break;
    for (auto& agent : agents)
      if (!agent->stopped && agent->link->pump(mono)) agent->link->on_readable(mono);
    // Events are made once per kTurn; acknowledgements are answered as they come (the next
    // batch of that agent leaves then), at most every kAnswerGap so that they are read in bulk.
    const auto turn_end = now + kTurn;
    for (auto at = now; at < turn_end; at = std::chrono::steady_clock::now()) {
      readiness.wait(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::ceil<std::chrono::milliseconds>(turn_end - at)),
                     ready);
      const auto woke = MonotonicTime{std::chrono::duration_cast<Duration>(
          std::chrono::steady_clock::now().time_since_epoch())};
      for (const auto index : ready)
        if (!agents[index]->stopped) agents[index]->link->on_readable(woke);
      std::this_thread::sleep_until(
          std::min(turn_end, std::chrono::steady_clock::now() + kAnswerGap));
    }
    if (now - last_sweep > 1s) {  // ZMQ_FD is a hint: read every socket now and then
      last_sweep = now;
      for (auto& agent : agents)
        if (!agent->stopped) agent->link->on_readable(mono);
    }
  }
  result.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& agent : agents) {
    const auto link = agent->stopped ? agent->last_stats : agent->link->stats();
    const auto& stats = link.session;
    const auto first = agent->outbox.generated_from();
    const auto sent = agent->generated + agent->heartbeats;
    result.agents.push_back({agent->name, sent, std::min(sent, stats.acknowledged_next - first),
                             first, first + sent - 1, stats.hellos_sent, stats.rewinds,
                             stats.resends, link.failovers,
                             agent->stopped ? std::string{} : agent->link->endpoint(),
                             agent->heartbeats, agent->stopped});
  }
  return result;
}

}  // namespace cw::apps
