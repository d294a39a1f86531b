// apps/common/nts/ke_client.cpp — NTS-KE over TLS 1.3 for clients (see ke_client.h).
#include "apps/common/nts/ke_client.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <span>

#include "apps/common/nts/tls.h"
#include "core/unique_fd.h"
#include "platform/socket_address.h"

namespace cw::apps::nts {
namespace {

using ntp::nts::KeRejection;

struct Deadline {
  Clock& clock;
  MonotonicTime at;
  int remaining_ms() const {
    const auto left = at - clock.monotonic_now();
    return left <= Duration::zero() ? 0 : static_cast<int>(left / std::chrono::milliseconds{1}) + 1;
  }
};

bool wait_for(int fd, short events, const Deadline& deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int ms = deadline.remaining_ms();
    if (ms == 0) return false;
    const int n = ::poll(&p, 1, ms);
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

Result<UniqueFd, std::string> connect_to(const platform::SocketAddress& address,
                                         const Deadline& deadline) {
  UniqueFd fd(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return fail(fmt::format("socket: {}", std::strerror(errno)));
  // The request follows the handshake's Finished in a second small write: with Nagle it waits for
  // the server's delayed ACK (~40 ms a key exchange on Linux).
  const int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_storage storage{};
  const socklen_t length = address.to_sockaddr(storage);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&storage), length) != 0) {
    if (errno != EINPROGRESS) return fail(fmt::format("connect: {}", std::strerror(errno)));
    if (!wait_for(fd.get(), POLLOUT, deadline)) return fail(std::string("connect: timed out"));
    int error = 0;
    socklen_t size = sizeof error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size);
    if (error != 0) return fail(fmt::format("connect: {}", std::strerror(error)));
  }
  return fd;
}

// Runs one SSL call until it completes, waiting on the socket as it asks, until the deadline.
template <typename F>
Result<int, std::string> drive(SSL* ssl, int fd, const Deadline& deadline, const char* what,
                               F&& call) {
  for (;;) {
    ERR_clear_error();
    const int n = call();
    if (n > 0) return n;
    const int error = SSL_get_error(ssl, n);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      if (!wait_for(fd, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
        return fail(fmt::format("TLS {}: timed out", what));
      continue;
    }
    if (error == SSL_ERROR_ZERO_RETURN) return 0;
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK)
      return fail(fmt::format("TLS {}: certificate verification failed: {}", what,
                              X509_verify_cert_error_string(verify)));
    return fail(fmt::format("TLS {}: {}", what, ssl_error_text()));
  }
}

Result<std::vector<std::byte>, std::string> read_message(SSL* ssl, int fd,
                                                         const Deadline& deadline) {
  std::vector<std::byte> message;
  std::array<std::byte, 4096> buffer{};
  for (;;) {
    auto n = drive(ssl, fd, deadline, "read",
                   [&] { return SSL_read(ssl, buffer.data(), static_cast<int>(buffer.size())); });
    if (!n) return fail(n.error());
    if (*n == 0) return fail(std::string("the server closed the connection before End of Message"));
    message.insert(message.end(), buffer.begin(), buffer.begin() + *n);
    auto length = ntp::nts::message_length(message);
    if (!length) return fail(std::string(ntp::nts::to_string(length.error())));
    if (*length) {
      message.resize(**length);
      return message;
    }
  }
}

Result<KeOutcome, std::string> exchange(SSL* ssl, int fd, const std::string& host,
                                        std::span<const ntp::nts::AeadId> aeads,
                                        const Deadline& deadline) {
  if (auto r = drive(ssl, fd, deadline, "handshake", [&] { return SSL_connect(ssl); }); !r)
    return fail(r.error());
  if (!negotiated_ntske(ssl))
    return fail(std::string("the server did not agree to ALPN ntske/1: not an NTS-KE server"));
  const auto request = ntp::nts::write_request(aeads);
  if (auto r =
          drive(ssl, fd, deadline, "write",
                [&] { return SSL_write(ssl, request.data(), static_cast<int>(request.size())); });
      !r)
    return fail(r.error());
  auto message = read_message(ssl, fd, deadline);
  if (!message) return fail(message.error());
  auto response = ntp::nts::parse_response(*message);
  if (!response) {
    if (response.error() == KeRejection::server_error)
      return fail(fmt::format("the server refused the NTS-KE request (error code {})",
                              ntp::nts::error_code(*message).value_or(0)));
    return fail("malformed NTS-KE response: " + std::string(ntp::nts::to_string(response.error())));
  }
  if (std::find(aeads.begin(), aeads.end(), response->aead) == aeads.end())
    return fail(fmt::format("the server chose AEAD {}, which we did not offer",
                            static_cast<unsigned>(response->aead)));
  auto keys = export_keys(ssl, response->aead);
  if (!keys) return fail(keys.error());
  SSL_shutdown(ssl);  // best effort: the keys are ours whether or not the close_notify goes out
  KeOutcome outcome;
  outcome.keys = *keys;
  outcome.cookies = std::move(response->cookies);
  outcome.ntp_host = response->server.value_or(host);
  outcome.ntp_port = response->port.value_or(0);
  outcome.warnings = std::move(response->warnings);
  return outcome;
}

}  // namespace

struct KeClient::Context {
  SslCtx ctx;
};

Result<KeClient, std::string> KeClient::make(const KeClientOptions& options) {
  auto ctx = client_context(options.ca_file);
  if (!ctx) return fail("NTS-KE: " + ctx.error());
  if (options.aeads.empty()) return fail(std::string("NTS-KE: no AEAD algorithm to offer"));
  return KeClient(std::make_shared<Context>(Context{std::move(*ctx)}), options);
}

Result<KeOutcome, std::string> key_exchange(const std::string& host, std::uint16_t port,
                                            const KeClientOptions& options, Clock& clock) {
  auto client = KeClient::make(options);
  if (!client) return fail(fmt::format("NTS-KE with {}:{} failed: {}", host, port, client.error()));
  return client->key_exchange(host, port, clock);
}

Result<KeOutcome, std::string> KeClient::key_exchange(const std::string& host, std::uint16_t port,
                                                      Clock& clock) const {
  const Deadline deadline{clock, clock.monotonic_now() + timeout_};
  const auto where = [&](const std::string& why) {
    return fmt::format("NTS-KE with {}:{} failed: {}", host, port, why);
  };
  auto addresses = platform::resolve(host, port);
  if (!addresses) return fail(where(addresses.error()));
  const auto& ctx = context_->ctx;
  std::string last_error = "no address";
  for (const auto& address : *addresses) {
    auto fd = connect_to(address, deadline);
    if (!fd) {
      last_error = fd.error();
      continue;
    }
    Ssl ssl(SSL_new(ctx.get()));
    if (!ssl || SSL_set_fd(ssl.get(), fd->get()) != 1 || !expect_server_name(ssl.get(), host))
      return fail(where("cannot set up TLS: " + ssl_error_text()));
    auto outcome = exchange(ssl.get(), fd->get(), host, aeads_, deadline);
    if (!outcome) return fail(where(outcome.error()));
    return outcome;
  }
  return fail(where(last_error));
}

}  // namespace cw::apps::nts
