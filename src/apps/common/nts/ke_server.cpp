// apps/common/nts/ke_server.cpp — the NTS-KE server's poll loop and sessions (see ke_server.h).
#include "apps/common/nts/ke_server.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "apps/common/nts/tls.h"
#include "ntp/nts/ke_records.h"
#include "ntp/nts/server_fields.h"

namespace cw::apps::nts {
namespace {

using namespace ntp::nts;

void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
  counter.fetch_add(by, std::memory_order_relaxed);
}

enum class Phase { handshake, reading, writing };
enum class Step { more, done, refused, tls_failed, too_large, timed_out };

struct Session {
  UniqueFd fd;
  Ssl ssl;
  MonotonicTime deadline;
  Phase phase = Phase::handshake;
  short events = POLLIN;
  std::vector<std::byte> in;
  std::vector<std::byte> out;
  std::size_t written = 0;
  bool refused = false;
};

// Whether the SSL call that returned n only waits for the socket (then: for which event).
bool waits(Session& s, int n) {
  const int error = SSL_get_error(s.ssl.get(), n);
  if (error == SSL_ERROR_WANT_READ) s.events = POLLIN;
  if (error == SSL_ERROR_WANT_WRITE) s.events = POLLOUT;
  return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
}

UniqueFd listen_on(const platform::SocketAddress& where) {
  UniqueFd fd(::socket(where.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) throw std::runtime_error(fmt::format("NTS-KE socket: {}", std::strerror(errno)));
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage storage{};
  const socklen_t length = where.to_sockaddr(storage);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&storage), length) != 0 ||
      ::listen(fd.get(), 256) != 0)
    throw std::runtime_error(
        fmt::format("cannot listen for NTS-KE on {}: {}", where.to_string(), std::strerror(errno)));
  return fd;
}

}  // namespace

struct KeServer::Impl {
  SslCtx ctx;
  UniqueFd listener;
  std::shared_ptr<const ServerCookies> cookies;
  NonceCounter nonces;
  Clock& clock;
  ntp::RateLimiter limiter;
  std::vector<std::unique_ptr<Session>> sessions;

  Impl(SslCtx c, UniqueFd l, std::shared_ptr<const ServerCookies> k, std::uint64_t seed, Clock& cl,
       const ntp::RateLimitConfig& limit)
      : ctx(std::move(c)),
        listener(std::move(l)),
        cookies(std::move(k)),
        nonces(seed),
        clock(cl),
        limiter(limit, seed ^ 0x6b65'7261'7465'0001ull) {}

  // Whether the source of a new connection is within its address's limit (monotonic time: the
  // bucket does not care about the system clock's steps).
  bool within_limit(const sockaddr_storage& peer, socklen_t length, MonotonicTime now) {
    if (!limiter.enabled()) return true;
    const auto from =
        platform::SocketAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&peer), length);
    if (!from) return true;
    return limiter.check(from->address, Timestamp{now.time_since_epoch()}) ==
           ntp::RateDecision::kAllow;
  }

  // The response to a complete request: keys and cookies, or an Error record (§4.1.3).
  std::vector<std::byte> answer(Session& s, std::span<const std::byte> message,
                                const KeServerConfig& config, KeServerCounters& counters) {
    auto request = parse_request(message);
    auto aead = request ? choose(*request) : Result<AeadId, KeRejection>(fail(request.error()));
    if (!aead) {
      s.refused = true;
      spdlog::debug("NTS-KE: request refused: {}", to_string(aead.error()));
      return write_error(error_for(aead.error()));
    }
    auto keys = export_keys(s.ssl.get(), *aead);
    if (!keys) {
      s.refused = true;
      return write_error(KeErrorCode::internal_server_error);
    }
    std::vector<Cookie> jar(kMaxCookies, Cookie(cookie_size(*aead)));
    for (auto& cookie : jar) cookies->seal(*keys, nonces.next(), cookie);
    bump(counters.cookies_issued, jar.size());
    const auto port = config.ntp_port != 123 ? std::optional(config.ntp_port) : std::nullopt;
    return write_response(*aead, port, jar);
  }

  Step read_some(Session& s, const KeServerConfig& config, KeServerCounters& counters) {
    std::array<std::byte, 2048> buffer{};
    for (;;) {
      ERR_clear_error();
      const int n = SSL_read(s.ssl.get(), buffer.data(), static_cast<int>(buffer.size()));
      if (n <= 0) return waits(s, n) ? Step::more : Step::tls_failed;
      s.in.insert(s.in.end(), buffer.begin(), buffer.begin() + n);
      const auto length = message_length(s.in);
      if (!length) return Step::too_large;
      if (!*length) continue;
      s.out = answer(s, std::span(s.in).first(**length), config, counters);
      s.phase = Phase::writing;
      return Step::more;
    }
  }

  Step advance(Session& s, const KeServerConfig& config, KeServerCounters& counters) {
    for (;;) {
      ERR_clear_error();
      if (s.phase == Phase::handshake) {
        const int n = SSL_do_handshake(s.ssl.get());
        if (n != 1) return waits(s, n) ? Step::more : Step::tls_failed;
        s.phase = Phase::reading;
      }
      if (s.phase == Phase::reading) {
        const Step step = read_some(s, config, counters);
        if (step != Step::more || s.phase == Phase::reading) return step;
      }
      const int n = SSL_write(s.ssl.get(), s.out.data() + s.written,
                              static_cast<int>(s.out.size() - s.written));
      if (n <= 0) return waits(s, n) ? Step::more : Step::tls_failed;
      s.written += static_cast<std::size_t>(n);
      if (s.written == s.out.size()) {
        SSL_shutdown(s.ssl.get());  // best effort close_notify
        return s.refused ? Step::refused : Step::done;
      }
    }
  }
};

KeServer::KeServer(KeServerConfig config, std::shared_ptr<const ServerCookies> cookies,
                   std::uint64_t nonce_seed, Clock& clock)
    : config_(std::move(config)) {
  auto ctx = server_context(config_.cert_file, config_.key_file);
  if (!ctx) throw std::runtime_error(ctx.error());
  auto listener = listen_on(config_.listen);
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&storage), &length);
  local_ = platform::SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), length)
               .value_or(config_.listen);
  wake_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  impl_ = std::make_unique<Impl>(std::move(*ctx), std::move(listener), std::move(cookies),
                                 nonce_seed, clock, config_.rate_limit);
}

KeServer::~KeServer() { stop(); }

void KeServer::start() {
  thread_ = std::thread([this] { run(); });
}

void KeServer::stop() {
  stopping_.store(true);
  const std::uint64_t one = 1;
  if (wake_) [[maybe_unused]]
    auto n = ::write(wake_.get(), &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

void KeServer::run() {
  auto& sessions = impl_->sessions;
  std::vector<pollfd> fds;
  bool was_full = false;
  while (!stopping_.load()) {
    const bool full = sessions.size() >= config_.max_sessions;
    if (full && !was_full) bump(counters_.at_capacity);
    was_full = full;
    fds.clear();
    fds.push_back({wake_.get(), POLLIN, 0});
    fds.push_back({impl_->listener.get(), static_cast<short>(full ? 0 : POLLIN), 0});
    const MonotonicTime now = impl_->clock.monotonic_now();
    Duration wait = std::chrono::seconds{1};
    for (const auto& s : sessions) {
      fds.push_back({s->fd.get(), s->events, 0});
      wait = std::min(wait, std::max(Duration::zero(), s->deadline - now));
    }
    const int ms = static_cast<int>(wait / std::chrono::milliseconds{1}) + 1;
    if (::poll(fds.data(), fds.size(), ms) < 0 && errno != EINTR) break;
    if (fds[0].revents != 0) break;
    // Sessions first (their indices match fds[2...]), then new connections.
    const MonotonicTime after = impl_->clock.monotonic_now();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < sessions.size(); ++i) {
      auto& s = *sessions[i];
      Step step = Step::more;
      if (fds[i + 2].revents != 0) step = impl_->advance(s, config_, counters_);
      if (step == Step::more && after >= s.deadline) step = Step::timed_out;
      if (step == Step::timed_out) bump(counters_.timed_out);
      if (step == Step::done) bump(counters_.completed);
      if (step == Step::refused) bump(counters_.refused);
      if (step == Step::tls_failed) bump(counters_.tls_failed);
      if (step == Step::too_large) bump(counters_.too_large);
      if (step == Step::more) sessions[kept++] = std::move(sessions[i]);
    }
    sessions.resize(kept);
    if (fds[1].revents & POLLIN) {
      while (sessions.size() < config_.max_sessions) {
        sockaddr_storage peer{};
        socklen_t peer_length = sizeof peer;
        UniqueFd fd(::accept4(impl_->listener.get(), reinterpret_cast<sockaddr*>(&peer),
                              &peer_length, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) break;
        if (!impl_->within_limit(peer, peer_length, after)) {
          bump(counters_.rate_limited);  // closed here: no handshake, nothing spent on it
          continue;
        }
        // The response and close_notify are small writes: sent now, not after a delayed ACK.
        const int one = 1;
        ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        auto s = std::make_unique<Session>();
        s->ssl = Ssl(SSL_new(impl_->ctx.get()));
        if (!s->ssl || SSL_set_fd(s->ssl.get(), fd.get()) != 1) continue;
        SSL_set_accept_state(s->ssl.get());
        s->fd = std::move(fd);
        s->deadline = after + config_.deadline;
        bump(counters_.accepted);
        sessions.push_back(std::move(s));
      }
    }
    sessions_now_.store(sessions.size(), std::memory_order_relaxed);
  }
  sessions.clear();
  sessions_now_.store(0);
}

}  // namespace cw::apps::nts
