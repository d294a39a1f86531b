// apps/serve_runtime.cpp — shared served-clock state, counters and the worker threads of
// apps/serve_runtime.h. A worker's loop is the DESIGN.md shape: receive a batch (kernel T2), ask
// the responder, stamp T3 as late as possible, send the batch.
#include "apps/serve_runtime.h"

#include <poll.h>

#include "core/random.h"

namespace cw::apps {

void SharedServerState::publish(const Snapshot& next) {
  std::lock_guard lock(mutex_);
  snapshot_ = next;
  version_.fetch_add(1, std::memory_order_release);
}

void SharedServerState::refresh(Snapshot& copy, std::uint64_t& seen) const {
  const auto version = version_.load(std::memory_order_acquire);
  if (version == seen) return;
  std::lock_guard lock(mutex_);
  copy = snapshot_;
  seen = version_.load(std::memory_order_relaxed);
}

SharedServerState::Snapshot SharedServerState::current() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

struct ServerWorkers::Worker {
  Worker(ntp::ResponderConfig config, std::uint64_t seed, std::size_t batch_size)
      : responder(std::move(config), seed), batch(batch_size), replies(batch_size) {}
  std::vector<platform::UdpServerSocket> sockets;
  ntp::Responder responder;
  platform::DatagramBatch batch;
  std::vector<ntp::Reply> replies;
  WorkerCounters counters;
  std::thread thread;
};

namespace {

void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace

ServerWorkers::ServerWorkers(const WorkerSetup& setup, Clock& clock, const SharedServerState& state,
                             Random& random)
    : clock_(clock), state_(state) {
  const std::size_t threads = std::max<std::size_t>(setup.threads, 1);
  for (std::size_t t = 0; t < threads; ++t) {
    auto worker = std::make_unique<Worker>(setup.responder, random.next_u64(), setup.batch);
    for (std::size_t a = 0; a < setup.listen.size(); ++a) {
      platform::Endpoint where = setup.listen[a];
      // Port 0 asks for any port: the first worker's socket picks it, the others share it.
      if (t > 0 && where.port == 0) where.port = workers_[0]->sockets[a].local().port;
      worker->sockets.push_back(platform::UdpServerSocket::open(where, platform::SocketOptions{}));
    }
    workers_.push_back(std::move(worker));
  }
}

ServerWorkers::~ServerWorkers() { stop(); }

void ServerWorkers::start() {
  for (auto& worker : workers_) worker->thread = std::thread([this, w = worker.get()] { run(*w); });
}

void ServerWorkers::stop() {
  stopping_.store(true);
  for (auto& worker : workers_)
    if (worker->thread.joinable()) worker->thread.join();
}

std::vector<platform::Endpoint> ServerWorkers::bound() const {
  std::vector<platform::Endpoint> out;
  if (!workers_.empty())
    for (const auto& s : workers_[0]->sockets) out.push_back(s.local());
  return out;
}

CountersTotal ServerWorkers::totals() const {
  CountersTotal total;
  for (const auto& w : workers_) {
    const auto& c = w->counters;
    for (std::size_t i = 0; i < ntp::kOutcomeCount; ++i) total.outcomes[i] += c.outcomes[i].load(std::memory_order_relaxed);
    total.received += c.received.load(std::memory_order_relaxed);
    total.truncated += c.truncated.load(std::memory_order_relaxed);
    total.send_errors += c.send_errors.load(std::memory_order_relaxed);
  }
  for (std::size_t i = 0; i < ntp::kOutcomeCount; ++i) {
    if (ntp::is_answer(static_cast<ntp::Outcome>(i))) total.answered_total += total.outcomes[i];
    else total.dropped_total += total.outcomes[i];
  }
  total.dropped_total += total.truncated;
  return total;
}

namespace {

void serve_batch(platform::UdpServerSocket& socket, ntp::Responder& responder,
                 platform::DatagramBatch& batch, std::vector<ntp::Reply>& replies,
                 WorkerCounters& counters, const SharedServerState::Snapshot& snap, Clock& clock) {
  const std::size_t n = socket.receive(batch);
  if (n == 0) return;
  bump(counters.received, n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& d = batch.datagram(i);
    if (d.truncated) {
      bump(counters.truncated);
      continue;
    }
    const ntp::Reply reply =
        responder.respond(d.bytes, d.peer, d.received_at + snap.offset, snap.state, batch.reply_buffer(i));
    bump(counters.outcomes[static_cast<std::size_t>(reply.outcome)]);
    if (reply.size == 0) continue;
    replies[batch.queued()] = reply;
    batch.queue_reply(i, reply.size);
  }
  // T3 as late as possible: stamped (and MACed) reply by reply right before the batch goes out.
  for (std::size_t k = 0; k < batch.queued(); ++k)
    responder.seal(replies[k], batch.queued_reply(k), clock.now() + snap.offset);
  if (const auto refused = socket.send(batch); refused > 0) bump(counters.send_errors, refused);
}

}  // namespace

void ServerWorkers::run(Worker& w) {
  SharedServerState::Snapshot snap = state_.current();
  std::uint64_t seen = 0;
  std::vector<pollfd> fds;
  for (const auto& s : w.sockets) fds.push_back(pollfd{s.fd(), POLLIN, 0});
  while (!stopping_.load(std::memory_order_relaxed)) {
    state_.refresh(snap, seen);
    if (w.sockets.size() == 1) {  // the common case: block in recvmmsg itself
      serve_batch(w.sockets[0], w.responder, w.batch, w.replies, w.counters, snap, clock_);
      continue;
    }
    if (::poll(fds.data(), fds.size(), 250) <= 0) continue;
    for (std::size_t i = 0; i < fds.size(); ++i)
      if (fds[i].revents & POLLIN)
        serve_batch(w.sockets[i], w.responder, w.batch, w.replies, w.counters, snap, clock_);
  }
}

}  // namespace cw::apps
