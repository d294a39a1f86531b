// transport/zmq/zmq_collector.cpp — the collector's ingest thread (see zmq_collector.h).
#include "transport/zmq/zmq_collector.h"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>

#include <array>

#include "pipeline/envelope.h"

namespace cw::transport {
namespace {

constexpr std::size_t kMaxReceivesPerWake = 512;
constexpr auto kIdleConnection = std::chrono::minutes(10);
// Sequences with the top bit set belong to events the collector makes about an agent
// (events::kCollectorSequenceBit); an agent may not send them.
constexpr std::uint64_t kCollectorSequences = std::uint64_t{1} << 63;

std::span<const std::byte> bytes_of(const zmq::message_t& message) {
  return {static_cast<const std::byte*>(message.data()), message.size()};
}

std::string printable(const std::string& routing_id) {
  std::string out;
  for (unsigned char c : routing_id) out += fmt::format("{:02x}", c);
  return out;
}

}  // namespace

ZmqCollector::ZmqCollector(zmq::context_t& context, CollectorOptions options, CollectorCodec codec,
                           IngestQueue& queue, Clock& clock)
    : clock_(clock),
      socket_(make_collector_socket(context, options.server_key, options.timing)),
      codec_(std::move(codec)),
      queue_(queue),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      may_claim_(std::move(options.may_claim)),
      shared_store_(options.shared_store) {
  if (!wake_fd_) throw std::runtime_error("eventfd failed");
  socket_.bind(options.listen);
  endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
}

ZmqCollector::~ZmqCollector() { stop(); }

void ZmqCollector::seed(const std::map<std::string, std::uint64_t>& stored_next) {
  for (const auto& [agent, next] : stored_next) ledger_.seed(agent, next);
}

void ZmqCollector::start() {
  thread_ = std::thread([this] { run(); });
}

void ZmqCollector::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ZmqCollector::committed(
    const std::vector<std::pair<std::string, std::uint64_t>>& agents_next) {
  report(agents_next, true);
}

void ZmqCollector::failed(const std::vector<std::pair<std::string, std::uint64_t>>& agents_next) {
  report(agents_next, false);
}

void ZmqCollector::report(const std::vector<std::pair<std::string, std::uint64_t>>& agents_next,
                          bool stored) {
  {
    std::lock_guard lock(mutex_);
    for (const auto& [agent, next] : agents_next) pending_commits_.push_back({agent, next, stored});
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(wake_fd_.get(), &one, sizeof one);
}

void ZmqCollector::hello_recorded(const std::string& agent_id, std::uint64_t stored_next) {
  {
    std::lock_guard lock(mutex_);
    pending_commits_.push_back({agent_id, stored_next, true, true});
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(wake_fd_.get(), &one, sizeof one);
}

IngestStats ZmqCollector::stats() const {
  std::lock_guard lock(mutex_);
  return published_;
}

void ZmqCollector::run() {
  auto last_sweep = clock_.monotonic_now();
  while (!stop_) {
    const bool can_receive = !queue_.full();  // full: leave frames in ZeroMQ/TCP (back-pressure)
    std::array<zmq::pollitem_t, 2> items{
        {{socket_.handle(), 0, static_cast<short>(can_receive ? ZMQ_POLLIN : 0), 0},
         {nullptr, wake_fd_.get(), ZMQ_POLLIN, 0}}};
    try {
      zmq::poll(items, std::chrono::milliseconds(can_receive ? 100 : 5));
      if (items[1].revents & ZMQ_POLLIN) deliver_commits();
      if (items[0].revents & ZMQ_POLLIN) receive_ready();
    } catch (const zmq::error_t& error) {
      if (error.num() == ETERM) break;
      spdlog::warn("collector: {}", error.what());
    }
    if (const auto now = clock_.monotonic_now(); now - last_sweep > std::chrono::seconds(10)) {
      last_sweep = now;
      forget_idle_connections();
    }
    counters_.connections = connections_.size();
    counters_.agents = ledger_.agents();
    counters_.ledger = ledger_.stats();
    std::lock_guard lock(mutex_);
    published_ = counters_;
  }
  socket_.close();
}

void ZmqCollector::receive_ready() {
  for (std::size_t i = 0; i < kMaxReceivesPerWake && !queue_.full(); ++i) {
    zmq::message_t routing, frame;
    if (!socket_.recv(routing, zmq::recv_flags::dontwait)) return;
    if (!routing.more()) continue;  // cannot happen on a ROUTER; nothing to answer
    (void)socket_.recv(frame, zmq::recv_flags::none);
    const std::string routing_id = routing.to_string();
    if (frame.more()) {  // agents send one frame per message: drain and drop the rest
      zmq::message_t extra;
      do {
        (void)socket_.recv(extra, zmq::recv_flags::none);
      } while (extra.more());
      malformed(routing_id, "multipart message");
      continue;
    }
    handle(routing_id, frame);
  }
}

void ZmqCollector::handle(const std::string& routing_id, zmq::message_t& frame) {
  const auto message = pipeline::decode_message(bytes_of(frame));
  if (!message) return malformed(routing_id, to_string(message.error()));
  if (message->kind == pipeline::MessageKind::hello) {
    std::string key_name;
    try {
      key_name = frame.gets("User-Id");
    } catch (const zmq::error_t&) {
    }
    return handle_hello(routing_id, key_name, message->next, message->body);
  }
  if (message->kind != pipeline::MessageKind::batch)
    return malformed(routing_id, "collector-only message kind");
  const auto found = connections_.find(routing_id);
  if (found == connections_.end()) {
    ++counters_.hello_required;
    return send(routing_id, pipeline::encode_message(pipeline::MessageKind::hello_required, 0));
  }
  found->second.last_seen = clock_.monotonic_now();
  handle_batch(routing_id, found->second, message->next, message->body);
}

void ZmqCollector::handle_hello(const std::string& routing_id, const std::string& key_name,
                                std::uint64_t resume_from, std::span<const std::byte> body) {
  auto identity = codec_.decode_identity(body);
  if (!identity) return malformed(routing_id, "hello: " + identity.error());
  if (identity->agent_id.empty()) return malformed(routing_id, "hello: empty agent id");
  if (may_claim_ && !may_claim_(key_name, identity->agent_id)) {
    // Not answered: the connection stays without a hello, so its batches get `N` and are never
    // stored. One compromised node's key cannot write events under another node's id.
    ++counters_.claims_refused;
    if (refused_claims_.emplace(key_name, identity->agent_id).second)
      spdlog::warn(
          "collector: refused a hello as agent {} from the key {}: that key may claim "
          "only its own name and its .pub file's `agents:` lines (docs/pipeline.md)",
          identity->agent_id, key_name.empty() ? "(none)" : key_name);
    return;
  }
  ++counters_.hellos;
  const std::string agent_id = identity->agent_id;
  if (const auto known = connections_.find(routing_id);
      known != connections_.end() && known->second.agent_id == agent_id)
    return repeat_welcome(known->second, routing_id, resume_from);
  if (auto previous = routing_by_agent_.find(agent_id);
      previous != routing_by_agent_.end() && previous->second != routing_id)
    connections_.erase(previous->second);  // the agent reconnected: its old connection is dead
  routing_by_agent_[agent_id] = routing_id;
  connections_[routing_id] = {agent_id, key_name, std::move(*identity), clock_.monotonic_now()};
  queue_.push({agent_id, {}, 0, connections_[routing_id].identity});  // the writer records it
  if (shared_store_)  // welcomed once the writer says what the store holds (hello_recorded)
    pending_hellos_[agent_id] = {routing_id, resume_from};
  else
    welcome(agent_id, routing_id, resume_from);
}

// An agent whose welcome was slow (a connect storm) says hello again on the same connection:
// its record is queued already, so it is welcomed (or, on a shared store, will be once the writer
// has recorded it) without another store write per repeat, which would slow the writer further.
void ZmqCollector::repeat_welcome(Connection& connection, const std::string& routing_id,
                                  std::uint64_t resume_from) {
  ++counters_.hellos_repeated;
  connection.last_seen = clock_.monotonic_now();
  if (const auto pending = pending_hellos_.find(connection.agent_id);
      pending != pending_hellos_.end() && pending->second.routing_id == routing_id) {
    pending->second.resume_from = resume_from;
    return;
  }
  welcome(connection.agent_id, routing_id, resume_from);
}

void ZmqCollector::handle_batch(const std::string& routing_id, Connection& connection,
                                std::uint64_t cursor, std::span<const std::byte> body) {
  auto decoded = codec_.decode_batch(body, connection.identity);
  if (!decoded) return malformed(routing_id, "batch: " + decoded.error());
  auto& events = *decoded;
  if (events.empty()) return malformed(routing_id, "batch: no events");
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i > 0 && events[i].sequence <= events[i - 1].sequence)
      return malformed(routing_id, "batch: sequences not increasing");
    if (events[i].sequence >= kCollectorSequences)  // agent_down/agent_up are the collector's
      return malformed(routing_id, "batch: sequence in the collector's range");
    events[i].agent_id = connection.agent_id;  // the connection's hello speaks for every event
  }
  ++counters_.batches;
  const auto verdict = ledger_.on_batch(connection.agent_id, cursor, events.front().sequence,
                                        events.back().sequence);
  if (!verdict.accept)
    return send(routing_id, pipeline::encode_message(pipeline::MessageKind::rewind, verdict.next));
  std::erase_if(events, [&](const events::Event& e) { return e.sequence < verdict.keep_from; });
  if (events.empty())  // all duplicates: they are stored or queued; say where we stand
    return send(routing_id, pipeline::encode_message(pipeline::MessageKind::ack,
                                                     ledger_.committed_next(connection.agent_id)));
  counters_.events_accepted += events.size();
  const std::uint64_t next = events.back().sequence + 1;
  const auto received = clock_.now();
  queue_.push({connection.agent_id, std::move(events), next, std::nullopt, received});
}

void ZmqCollector::malformed(const std::string& routing_id, std::string_view reason) {
  ++counters_.malformed_frames;
  const auto connection = connections_.find(routing_id);
  const std::string who = connection != connections_.end() ? connection->second.agent_id
                                                           : "connection " + printable(routing_id);
  if (malformed_by_peer_[routing_id]++ == 0)  // once per connection; the count keeps going
    spdlog::warn("collector: dropped a malformed frame from {}: {} (further ones only counted)",
                 who, reason);
}

void ZmqCollector::send(const std::string& routing_id, std::vector<std::byte> frame) {
  try {
    if (socket_.send(zmq::buffer(routing_id),
                     zmq::send_flags::sndmore | zmq::send_flags::dontwait) &&
        socket_.send(zmq::buffer(frame), zmq::send_flags::dontwait)) {
      if (frame.front() == static_cast<std::byte>(pipeline::MessageKind::ack))
        ++counters_.acks_sent;
      return;
    }
  } catch (const zmq::error_t&) {
  }
  ++counters_.send_failures;  // the agent will time out and say hello again
}

void ZmqCollector::deliver_commits() {
  std::uint64_t value = 0;
  [[maybe_unused]] auto got = ::read(wake_fd_.get(), &value, sizeof value);
  std::vector<Commit> commits;
  {
    std::lock_guard lock(mutex_);
    commits.swap(pending_commits_);
  }
  for (const auto& [agent_id, next, stored, hello] : commits) {
    if (hello) {
      welcome_recorded(agent_id, next);
      continue;
    }
    if (!stored) {
      ledger_.on_store_failed(agent_id);
      continue;
    }
    const auto acked = ledger_.on_committed(agent_id, next);
    if (auto routing = routing_by_agent_.find(agent_id); routing != routing_by_agent_.end())
      send(routing->second, pipeline::encode_message(pipeline::MessageKind::ack, acked));
  }
}

void ZmqCollector::welcome_recorded(const std::string& agent_id, std::uint64_t stored_next) {
  const auto taken_before = ledger_.stats().taken_over;
  if (stored_next > 0) ledger_.adopt(agent_id, stored_next);
  if (ledger_.stats().taken_over != taken_before)
    spdlog::info(
        "collector: agent {}: the store holds its sequences below {}, beyond what this "
        "collector stored: it fails over from another collector on the store",
        agent_id, stored_next);
  const auto pending = pending_hellos_.find(agent_id);
  if (pending == pending_hellos_.end()) return;
  const auto [routing_id, resume_from] = pending->second;
  pending_hellos_.erase(pending);
  welcome(agent_id, routing_id, resume_from);
}

void ZmqCollector::welcome(const std::string& agent_id, const std::string& routing_id,
                           std::uint64_t resume_from) {
  const auto taken_before = ledger_.stats().taken_over;
  const auto next = ledger_.on_hello(agent_id, resume_from, shared_store_);
  if (ledger_.stats().taken_over != taken_before)
    spdlog::info(
        "collector: agent {} resumes at {} here, beyond what this collector accepted: "
        "it fails over from another collector on the store",
        agent_id, resume_from);
  spdlog::debug("collector: hello from {}, resumes at {}, welcome next {}", agent_id, resume_from,
                next);
  send(routing_id, pipeline::encode_message(pipeline::MessageKind::welcome, next));
}

void ZmqCollector::forget_idle_connections() {
  const auto cutoff = clock_.monotonic_now() - kIdleConnection;
  std::erase_if(connections_, [&](const auto& entry) {
    if (entry.second.last_seen >= cutoff) return false;
    if (auto r = routing_by_agent_.find(entry.second.agent_id);
        r != routing_by_agent_.end() && r->second == entry.first)
      routing_by_agent_.erase(r);
    malformed_by_peer_.erase(entry.first);
    return true;
  });
}

}  // namespace cw::transport
