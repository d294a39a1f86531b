// apps/common/nts/ke_server.h — the NTS-KE server (RFC 8915 §4): TLS 1.3 on TCP with ALPN ntske/1,
// on a thread of its own (never an NTP worker's). One poll loop drives every session without
// blocking: at most `max_sessions` at once (further connections wait in the kernel's backlog), a
// deadline per session (2 s by default) after which it is cut, a 16 KiB cap on a request, so that
// memory stays bounded under a flood of idle or half-open connections, and a token bucket per
// source address (IPv4, or IPv6 /64; a bounded table, ntp/rate_limit.h) closing a connection over
// its address's limit before any TLS work is done. Each session reads one
// request, answers with NTPv4, AEAD 15, the port record when the NTP port is not 123 and eight
// cookies sealed under the current master key (ntp/nts/cookies.h), and closes.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/time.h"
#include "core/unique_fd.h"
#include "ntp/nts/cookies.h"
#include "ntp/rate_limit.h"
#include "platform/socket_address.h"

namespace cw::apps::nts {

struct KeServerConfig {
  platform::SocketAddress listen;               // port 0: any free port (see local())
  std::string cert_file, key_file;              // PEM
  std::uint16_t ntp_port = 123;                 // a port record is sent when it is not 123
  std::size_t max_sessions = 128;               // sessions at once
  Duration deadline = std::chrono::seconds{2};  // per session, from accept to close
  // Per source address: on average one session per `interval`, bursts of `burst`; interval 0
  // turns it off. Over the limit a connection is closed at once (no TLS, no answer).
  ntp::RateLimitConfig rate_limit{std::chrono::seconds{1}, 32, Duration::zero(), 4096};
};

// Counters, read from any thread.
struct KeServerCounters {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> completed{0};   // keys and cookies sent
  std::atomic<std::uint64_t> refused{0};     // an Error record sent (bad request)
  std::atomic<std::uint64_t> tls_failed{0};  // handshake failed (no ntske/1, bad TLS, ...)
  std::atomic<std::uint64_t> timed_out{0};   // cut at the deadline
  std::atomic<std::uint64_t> too_large{0};   // a request over 16 KiB
  std::atomic<std::uint64_t> cookies_issued{0};
  std::atomic<std::uint64_t> at_capacity{0};   // times the session cap held new connections back
  std::atomic<std::uint64_t> rate_limited{0};  // connections closed unanswered: address over limit
};

class KeServer {
 public:
  // Binds and loads the certificate; throws std::runtime_error with one clear line on failure.
  KeServer(KeServerConfig config, std::shared_ptr<const ntp::nts::ServerCookies> cookies,
           std::uint64_t nonce_seed, Clock& clock);
  ~KeServer();
  KeServer(const KeServer&) = delete;
  KeServer& operator=(const KeServer&) = delete;

  void start();
  void stop();
  platform::SocketAddress local() const { return local_; }
  const KeServerCounters& counters() const { return counters_; }
  std::size_t sessions() const { return sessions_now_.load(std::memory_order_relaxed); }

 private:
  struct Impl;
  void run();

  KeServerConfig config_;
  std::unique_ptr<Impl> impl_;
  platform::SocketAddress local_;
  KeServerCounters counters_;
  std::atomic<std::size_t> sessions_now_{0};
  UniqueFd wake_;  // eventfd: stop() wakes the loop
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace cw::apps::nts
