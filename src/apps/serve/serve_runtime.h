// apps/serve/serve_runtime.h — the moving parts of `chronowatch serve` between the pure responder
// and the sockets: the served clock's state shared by the upstream thread (writer) and the workers
// (readers), the counters, and the worker threads that each own one socket per listen address.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "apps/serve/serve_latency.h"
#include "core/clock.h"
#include "core/random.h"
#include "ntp/responder.h"
#include "ntp/server_state.h"
#include "platform/udp_server.h"

namespace cw::apps {

// The clock the server serves and what it says about it. The upstream thread publishes; each
// worker takes a copy when the version changes (one atomic load per batch otherwise).
class SharedServerState {
 public:
  struct Snapshot {
    ntp::ServerState state;
    Duration offset{};  // virtual clock: served time = system time + offset
  };
  explicit SharedServerState(Snapshot initial) : snapshot_(initial) {}
  void publish(const Snapshot& next);
  // Read-modify-write under the lock: `change(snapshot)` edits it and returns whether to publish,
  // so a decision taken on the current snapshot cannot overwrite a newer one.
  template <typename Change>
  void update(Change&& change) {
    std::lock_guard lock(mutex_);
    if (change(snapshot_)) version_.fetch_add(1, std::memory_order_release);
  }
  // Refreshes `copy` if a newer snapshot exists; `seen` is the caller's last version.
  void refresh(Snapshot& copy, std::uint64_t& seen) const;
  Snapshot current() const;

 private:
  mutable std::mutex mutex_;
  Snapshot snapshot_;
  std::atomic<std::uint64_t> version_{1};
};

// Counters of one worker, written by it alone, read by anyone (relaxed atomics).
struct WorkerCounters {
  std::array<std::atomic<std::uint64_t>, ntp::kOutcomeCount> outcomes{};
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> truncated{0};
  std::atomic<std::uint64_t> send_errors{0};
  // NTS (RFC 8915): NTSN sent for a cookie we cannot open / an authenticator that does not
  // verify, and the cookies the NTS replies carried.
  std::atomic<std::uint64_t> ntsn_bad_cookie{0}, ntsn_bad_authenticator{0}, nts_cookies{0};
  LatencyHistogram t3_t2;       // kernel receive timestamp → transmit timestamp
  LatencyHistogram processing;  // recvmmsg returned → transmit timestamp
};

struct CountersTotal {
  std::array<std::uint64_t, ntp::kOutcomeCount> outcomes{};
  std::uint64_t received = 0, truncated = 0, send_errors = 0, answered_total = 0, dropped_total = 0;
  std::uint64_t ntsn_bad_cookie = 0, ntsn_bad_authenticator = 0, nts_cookies = 0;
  LatencyCounts t3_t2, processing;
};

struct WorkerSetup {
  std::vector<platform::SocketAddress> listen;
  std::size_t threads = 1;
  ntp::ResponderConfig responder;
  std::size_t batch = 64;
  // After a busy receive, keep polling the sockets without blocking this long before sleeping in
  // the kernel: a datagram that arrives meanwhile does not wait for the thread to be woken up.
  // Off by default: on a loaded machine a spinning thread loses the scheduler's favour and waits
  // longer than a sleeping one is woken (measured with bench/ntp_server/compare.py).
  Duration spin = Duration::zero();
  // Batches up to this size are answered one datagram at a time (respond, T3, MAC, send), so no
  // reply waits for the others; bigger batches (a saturated server) are sent in chunks of
  // `chunk` with sendmmsg, each chunk's T3s taken just before it goes out.
  std::size_t immediate = 4;
  std::size_t chunk = 16;
};

// N threads, each with its own SO_REUSEPORT socket per listen address, answering until stop().
class ServerWorkers {
 public:
  // Binds every socket now (so that privileges can be dropped afterwards); throws on failure.
  ServerWorkers(const WorkerSetup& setup, Clock& clock, const SharedServerState& state,
                Random& random);
  ~ServerWorkers();
  void start();
  void stop();  // asks every worker to finish its batch and joins them
  CountersTotal totals() const;
  std::vector<platform::SocketAddress> bound() const;  // the real addresses (port 0 resolved)
  // A reloaded key file (SIGHUP): every worker answers with `keys` from its next batch on.
  void replace_keys(std::shared_ptr<const ntp::KeyStore> keys);

 private:
  struct Worker;
  void run(Worker& worker);
  std::size_t serve_batch(Worker& w, std::size_t socket, bool wait);

  Clock& clock_;
  const SharedServerState& state_;
  Duration spin_;
  std::size_t immediate_, chunk_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex keys_mutex_;  // replace_keys(): the new keys and their version
  std::shared_ptr<const ntp::KeyStore> keys_;
  std::atomic<std::uint64_t> keys_version_{0};
};

}  // namespace cw::apps
