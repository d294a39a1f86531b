// platform/udp_client.cpp — socket(2), connect(2), send(2), poll(2) + recvmsg(2) with
// SCM_TIMESTAMPNS for platform/udp_client.h.
#include "platform/udp_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace cw::platform {
namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

std::optional<Timestamp> kernel_timestamp(msghdr& message) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec ts{};
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      return from_unix_ns(std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec);
    }
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(ReceiveError e) {
  switch (e) {
    case ReceiveError::timeout:
      return "no answer before the timeout";
    case ReceiveError::refused:
      return "connection refused (nothing listens on that port)";
    case ReceiveError::failed:
      return "receive failed";
  }
  return "?";
}

UdpClient::UdpClient(const SocketAddress& server, Clock& clock, Options options)
    : server_(server), clock_(&clock), options_(options) {
  fd_.reset(::socket(server.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd_) throw_errno("socket");
  if (options_.kernel_timestamps) {
    const int on = 1;
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0)
      throw_errno("setsockopt(SO_TIMESTAMPNS)");
  }
  sockaddr_storage address{};
  const socklen_t length = server.to_sockaddr(address);
  if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0)
    throw_errno(("connect to " + server.to_string()).c_str());
}

Timestamp UdpClient::send(std::span<const std::byte> datagram) {
  for (int attempt = 0;; ++attempt) {
    const Timestamp t1 = clock_->now();
    const auto sent = ::send(fd_.get(), datagram.data(), datagram.size(), 0);
    if (sent >= 0) return t1;
    // A pending ICMP error from an earlier datagram is reported once; the send itself may retry.
    if ((errno == ECONNREFUSED || errno == EINTR) && attempt < 2) continue;
    throw_errno(("send to " + server_.to_string()).c_str());
  }
}

Result<Received, ReceiveError> UdpClient::receive(std::span<std::byte> buffer,
                                                  MonotonicTime deadline) {
  for (;;) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - clock_->monotonic_now());
    if (left.count() <= 0) return fail(ReceiveError::timeout);
    pollfd p{fd_.get(), POLLIN, 0};
    const int ready =
        ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1 << 30)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return fail(ReceiveError::failed);
    if (ready == 0) continue;  // re-check the deadline on the monotonic clock
    auto got = try_receive(buffer);
    if (got || got.error() != ReceiveError::timeout) return got;
  }
}

Result<Received, ReceiveError> UdpClient::try_receive(std::span<std::byte> buffer) {
  for (;;) {
    iovec io{buffer.data(), buffer.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec)) * 2] = {};
    msghdr message{};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    const auto got = ::recvmsg(fd_.get(), &message, MSG_DONTWAIT);
    const Timestamp user_time = clock_->now();
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return fail(ReceiveError::timeout);
      return fail(errno == ECONNREFUSED ? ReceiveError::refused : ReceiveError::failed);
    }
    // A datagram longer than the buffer is not what the peer sent: drop it, read on.
    if ((message.msg_flags & MSG_TRUNC) != 0) continue;
    const auto length = std::min(static_cast<std::size_t>(got), buffer.size());
    const auto kernel = options_.kernel_timestamps ? kernel_timestamp(message) : std::nullopt;
    return Received{buffer.first(length), kernel.value_or(user_time), kernel.has_value()};
  }
}

void wait_readable(std::span<const int> fds, MonotonicTime deadline, Clock& clock,
                   std::vector<std::size_t>& ready) {
  ready.clear();
  std::vector<pollfd> polled;
  polled.reserve(fds.size());
  for (const int fd : fds) polled.push_back(pollfd{fd, POLLIN, 0});
  for (;;) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - clock.monotonic_now());
    const int n = ::poll(polled.data(), polled.size(),
                         static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 1 << 30)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    for (std::size_t i = 0; i < polled.size(); ++i)
      if ((polled[i].revents & (POLLIN | POLLERR)) != 0) ready.push_back(i);
    return;
  }
}

}  // namespace cw::platform
