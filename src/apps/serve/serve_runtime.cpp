// apps/serve/serve_runtime.cpp — shared served-clock state, counters and the worker threads of
// apps/serve_runtime.h. A worker's loop is the DESIGN.md shape: receive a batch (kernel T2), ask
// the responder, stamp T3 as late as possible (reply by reply, just before it leaves), send.
#include "apps/serve/serve_runtime.h"

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
  Worker(ntp::ResponderConfig config, std::shared_ptr<ntp::RateLimiter> limiter,
         std::size_t batch_size)
      : responder(std::move(config), std::move(limiter)), batch(batch_size), replies(batch_size) {}
  std::vector<platform::UdpServerSocket> sockets;
  ntp::Responder responder;
  platform::DatagramBatch batch;
  std::vector<ntp::Reply> replies;
  WorkerCounters counters;
  SharedServerState::Snapshot snap;  // this worker's copy of the served state
  std::uint64_t seen = 0;            // its version
  std::uint64_t keys_seen = 0;       // the version of replace_keys() its responder has
  std::thread thread;
};

namespace {

void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace

ServerWorkers::ServerWorkers(const WorkerSetup& setup, Clock& clock, const SharedServerState& state,
                             Random& random)
    : clock_(clock),
      state_(state),
      spin_(setup.spin),
      immediate_(setup.immediate),
      chunk_(std::max<std::size_t>(setup.chunk, 1)) {
  const std::size_t threads = std::max<std::size_t>(setup.threads, 1);
  // One rate-limit table for every worker: a client's limit holds whichever socket it lands on.
  auto limiter = std::make_shared<ntp::RateLimiter>(setup.responder.rate_limit, random.next_u64());
  for (std::size_t t = 0; t < threads; ++t) {
    auto config = setup.responder;
    config.nonce_seed = random.next_u64();  // each worker its own NTS nonce prefix
    auto worker = std::make_unique<Worker>(std::move(config), limiter, setup.batch);
    for (std::size_t a = 0; a < setup.listen.size(); ++a) {
      platform::SocketAddress where = setup.listen[a];
      // Port 0 asks for any port: the first worker's socket picks it, the others share it.
      if (t > 0 && where.port == 0) where.port = workers_[0]->sockets[a].local().port;
      // The first worker's socket binds alone (refused if another process holds the address);
      // the others join it.
      platform::SocketOptions options;
      if (t > 0) options.sharing = platform::PortSharing::join;
      worker->sockets.push_back(platform::UdpServerSocket::open(where, options));
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

std::vector<platform::SocketAddress> ServerWorkers::bound() const {
  std::vector<platform::SocketAddress> out;
  if (!workers_.empty())
    for (const auto& s : workers_[0]->sockets) out.push_back(s.local());
  return out;
}

void ServerWorkers::replace_keys(std::shared_ptr<const ntp::KeyStore> keys) {
  std::lock_guard lock(keys_mutex_);
  keys_ = std::move(keys);
  keys_version_.fetch_add(1, std::memory_order_release);
}

CountersTotal ServerWorkers::totals() const {
  CountersTotal total;
  for (const auto& w : workers_) {
    const auto& c = w->counters;
    for (std::size_t i = 0; i < ntp::kOutcomeCount; ++i)
      total.outcomes[i] += c.outcomes[i].load(std::memory_order_relaxed);
    total.received += c.received.load(std::memory_order_relaxed);
    total.truncated += c.truncated.load(std::memory_order_relaxed);
    total.send_errors += c.send_errors.load(std::memory_order_relaxed);
    total.ntsn_bad_cookie += c.ntsn_bad_cookie.load(std::memory_order_relaxed);
    total.ntsn_bad_authenticator += c.ntsn_bad_authenticator.load(std::memory_order_relaxed);
    total.nts_cookies += c.nts_cookies.load(std::memory_order_relaxed);
    total.t3_t2.add(c.t3_t2);
    total.processing.add(c.processing);
  }
  for (std::size_t i = 0; i < ntp::kOutcomeCount; ++i) {
    if (ntp::is_answer(static_cast<ntp::Outcome>(i)))
      total.answered_total += total.outcomes[i];
    else
      total.dropped_total += total.outcomes[i];
  }
  total.dropped_total += total.truncated;
  return total;
}

namespace {

struct BatchContext {
  platform::UdpServerSocket& socket;
  platform::DatagramBatch& batch;
  ntp::Responder& responder;
  std::vector<ntp::Reply>& replies;
  WorkerCounters& counters;
  const SharedServerState::Snapshot& snap;
  Clock& clock;
  Timestamp woke;  // when recvmmsg returned (system clock)
};

// T3 as late as possible: read (and MACed) reply by reply right before queued replies [from, upto)
// go out.
void seal_and_send(BatchContext& c, std::size_t from, std::size_t upto) {
  for (std::size_t k = from; k < upto; ++k) {
    const std::size_t i = c.batch.queued_source(k);
    const Timestamp t3 = c.clock.now();
    c.responder.seal(c.replies[k], c.batch.queued_reply(k), t3 + c.snap.offset);
    c.counters.t3_t2.add(t3 - c.batch.datagram(i).received_at);
    c.counters.processing.add(t3 - c.woke);
  }
  if (const auto refused = c.socket.send(c.batch, upto); refused > 0)
    bump(c.counters.send_errors, refused);
}

// Asks the responder about datagram i; queues its reply if there is one. Returns whether it did.
bool answer(BatchContext& c, std::size_t i) {
  const auto& d = c.batch.datagram(i);
  if (d.truncated) {
    bump(c.counters.truncated);
    return false;
  }
  const ntp::Reply reply =
      c.responder.respond(d.bytes, d.peer.address, d.received_at + c.snap.offset, c.snap.state,
                          c.batch.reply_buffer(i));
  bump(c.counters.outcomes[static_cast<std::size_t>(reply.outcome)]);
  if (reply.outcome == ntp::Outcome::nts_nak)
    bump(reply.nak_bad_cookie ? c.counters.ntsn_bad_cookie : c.counters.ntsn_bad_authenticator);
  if (reply.outcome == ntp::Outcome::answered_nts)
    bump(c.counters.nts_cookies, reply.auth.nts.cookies);
  if (reply.size == 0) return false;
  c.replies[c.batch.queued()] = reply;
  c.batch.queue_reply(i, reply.size);
  return true;
}

}  // namespace

// One recvmmsg and the answers to what it brought. A small batch (the server is keeping up) is
// answered datagram by datagram, each reply leaving as soon as it is ready; a big one (the server
// is saturated) is answered first, then sealed and sent in chunks, which costs fewer system calls.
std::size_t ServerWorkers::serve_batch(Worker& w, std::size_t socket, bool wait) {
  const std::size_t n = w.sockets[socket].receive(w.batch, wait);
  if (n == 0) return 0;
  // After receiving, not before: a worker that slept in recvmmsg through a change of the served
  // state (synchronized, upstreams lost) must not answer with the state it fell asleep with.
  state_.refresh(w.snap, w.seen);
  if (const auto v = keys_version_.load(std::memory_order_acquire); v != w.keys_seen) {
    std::lock_guard lock(keys_mutex_);  // the previous batch is sealed: its keys may go
    w.responder.set_symmetric_keys(keys_);
    w.keys_seen = v;
  }
  BatchContext c{w.sockets[socket], w.batch, w.responder, w.replies,
                 w.counters,        w.snap,  clock_,      clock_.now()};
  bump(w.counters.received, n);
  if (n <= immediate_) {
    for (std::size_t i = 0; i < n; ++i)
      if (answer(c, i)) seal_and_send(c, w.batch.queued() - 1, w.batch.queued());
    return n;
  }
  for (std::size_t i = 0; i < n; ++i) answer(c, i);
  for (std::size_t k = 0; k < w.batch.queued(); k += chunk_)
    seal_and_send(c, k, std::min(k + chunk_, w.batch.queued()));
  return n;
}

// Polls every socket without blocking while datagrams keep coming (and for `spin_` after the
// last one), then sleeps in the kernel: in recvmmsg itself with one socket, in poll() with more.
void ServerWorkers::run(Worker& w) {
  std::vector<pollfd> fds;
  for (const auto& s : w.sockets) fds.push_back(pollfd{s.fd(), POLLIN, 0});
  MonotonicTime busy_at = clock_.monotonic_now();
  while (!stopping_.load(std::memory_order_relaxed)) {
    std::size_t got = 0;
    for (std::size_t i = 0; i < w.sockets.size(); ++i) got += serve_batch(w, i, false);
    if (got > 0) {
      busy_at = clock_.monotonic_now();
      continue;
    }
    if (spin_ > Duration::zero() && clock_.monotonic_now() - busy_at < spin_) continue;
    if (w.sockets.size() == 1) {  // the common case: block in recvmmsg itself
      if (serve_batch(w, 0, true) > 0) busy_at = clock_.monotonic_now();
      continue;
    }
    if (::poll(fds.data(), fds.size(), 250) <= 0) continue;
    busy_at = clock_.monotonic_now();
  }
}

}  // namespace cw::apps
