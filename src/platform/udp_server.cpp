// platform/udp_server.cpp — batched UDP server socket of platform/udp_server.h: recvmmsg with
// SO_TIMESTAMPNS and packet-info control messages in, sendmmsg out.
#include "platform/udp_server.h"

#include <arpa/inet.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace cw::platform {
namespace {

constexpr std::size_t kControlSize = CMSG_SPACE(sizeof(timespec)) +
                                     CMSG_SPACE(sizeof(in6_pktinfo)) +
                                     CMSG_SPACE(sizeof(in_pktinfo)) + 64;
constexpr std::size_t kTxControlSize = CMSG_SPACE(sizeof(in6_pktinfo));

Timestamp realtime_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return from_unix_ns(std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec);
}

void set_option(int fd, int level, int name, int value, const char* what,
                const SocketAddress& where) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0)
    throw std::system_error(errno, std::generic_category(),
                            std::string("setsockopt ") + what + " on " + where.to_string());
}

}  // namespace

DatagramBatch::DatagramBatch(std::size_t capacity, std::size_t datagram_size)
    : capacity_(capacity),
      datagram_size_(datagram_size),
      rx_bytes_(capacity * datagram_size),
      tx_bytes_(capacity * datagram_size),
      rx_control_(capacity * kControlSize),
      tx_control_(capacity * kTxControlSize),
      peers_(capacity),
      rx_iov_(capacity),
      tx_iov_(capacity),
      rx_msgs_(capacity),
      tx_msgs_(capacity),
      datagrams_(capacity),
      locals_(capacity),
      tx_source_(capacity) {}

std::span<std::byte> DatagramBatch::reply_buffer(std::size_t i) {
  return std::span{tx_bytes_}.subspan(i * datagram_size_, datagram_size_);
}

std::span<std::byte> DatagramBatch::queued_reply(std::size_t k) {
  return reply_buffer(tx_source_[k]).first(tx_iov_[k].iov_len);
}

void DatagramBatch::queue_reply(std::size_t i, std::size_t size) {
  const std::size_t k = queued_++;
  tx_source_[k] = i;
  tx_iov_[k] = iovec{reply_buffer(i).data(), std::min(size, datagram_size_)};
  msghdr& h = tx_msgs_[k].msg_hdr;
  h = msghdr{};
  h.msg_name = &peers_[i];
  h.msg_namelen = rx_msgs_[i].msg_hdr.msg_namelen;
  h.msg_iov = &tx_iov_[k];
  h.msg_iovlen = 1;
  const Local& local = locals_[i];
  if (local.family == 0) return;
  auto* control = tx_control_.data() + k * kTxControlSize;
  std::memset(control, 0, kTxControlSize);
  h.msg_control = control;
  cmsghdr* c = nullptr;
  if (local.family == AF_INET) {
    h.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
    c = CMSG_FIRSTHDR(&h);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo info{};
    info.ipi_spec_dst = local.v4.ipi_addr;  // reply from the address the client asked
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
  } else {
    h.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
    c = CMSG_FIRSTHDR(&h);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
    std::memcpy(CMSG_DATA(c), &local.v6, sizeof local.v6);
  }
}

void DatagramBatch::prepare_receive() {
  received_ = 0;
  queued_ = 0;
  sent_ = 0;
  for (std::size_t i = 0; i < capacity_; ++i) {
    rx_iov_[i] = iovec{rx_bytes_.data() + i * datagram_size_, datagram_size_};
    msghdr& h = rx_msgs_[i].msg_hdr;
    h.msg_name = &peers_[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &rx_iov_[i];
    h.msg_iovlen = 1;
    h.msg_control = rx_control_.data() + i * kControlSize;
    h.msg_controllen = kControlSize;
    h.msg_flags = 0;
  }
}

void DatagramBatch::decode_received(std::size_t count, bool want_local) {
  received_ = count;
  for (std::size_t i = 0; i < count; ++i) {
    msghdr& h = rx_msgs_[i].msg_hdr;
    ReceivedDatagram& d = datagrams_[i];
    const std::size_t length = std::min<std::size_t>(rx_msgs_[i].msg_len, datagram_size_);
    d.bytes = std::span<const std::byte>(rx_bytes_.data() + i * datagram_size_, length);
    d.truncated = (h.msg_flags & MSG_TRUNC) != 0;
    d.peer = SocketAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&peers_[i]),
                                          sizeof(sockaddr_storage))
                 .value_or(SocketAddress{});
    bool stamped = false;
    locals_[i].family = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts{};
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        d.received_at = from_unix_ns(std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec);
        stamped = true;
      } else if (want_local && c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        locals_[i].family = AF_INET;
        std::memcpy(&locals_[i].v4, CMSG_DATA(c), sizeof(in_pktinfo));
      } else if (want_local && c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
        locals_[i].family = AF_INET6;
        std::memcpy(&locals_[i].v6, CMSG_DATA(c), sizeof(in6_pktinfo));
      }
    }
    if (!stamped) d.received_at = realtime_now();
  }
}

UdpServerSocket UdpServerSocket::open(const SocketAddress& listen, const SocketOptions& options) {
  const int family = listen.address.is_v4() ? AF_INET : AF_INET6;
  UniqueFd fd(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd)
    throw std::system_error(errno, std::generic_category(), "socket for " + listen.to_string());
  const int s = fd.get();
  if (options.sharing == PortSharing::join)
    set_option(s, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT", listen);
  set_option(s, SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS", listen);
  // A bigger buffer absorbs bursts; the kernel caps it at net.core.rmem_max, which is fine.
  ::setsockopt(s, SOL_SOCKET, SO_RCVBUF, &options.receive_buffer_bytes, sizeof(int));
  const bool wildcard = listen.is_wildcard();
  if (family == AF_INET6) set_option(s, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY", listen);
  if (wildcard && family == AF_INET) set_option(s, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO", listen);
  if (wildcard && family == AF_INET6)
    set_option(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO", listen);
  const auto timeout_us =
      std::chrono::duration_cast<std::chrono::microseconds>(options.receive_timeout).count();
  timeval tv{static_cast<time_t>(timeout_us / 1'000'000),
             static_cast<suseconds_t>(timeout_us % 1'000'000)};
  if (::setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
    throw std::system_error(errno, std::generic_category(), "SO_RCVTIMEO on " + listen.to_string());
  sockaddr_storage address{};
  const socklen_t length = listen.to_sockaddr(address);
  if (::bind(s, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    const int error = errno;
    if (error == EADDRINUSE && options.sharing != PortSharing::join)
      throw std::system_error(
          error, std::generic_category(),
          "cannot bind " + listen.to_string() + ": address in use by another process");
    throw std::system_error(error, std::generic_category(), "cannot bind " + listen.to_string());
  }
  // Bound alone: from now on this process's own `join` sockets may share the address (the kernel
  // checks SO_REUSEPORT on both sockets when the second one binds).
  if (options.sharing == PortSharing::found)
    set_option(s, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT", listen);
  SocketAddress local = listen;
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  if (::getsockname(s, reinterpret_cast<sockaddr*>(&bound), &bound_length) == 0)
    if (auto real = SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&bound), bound_length))
      local.port = real->port;  // the real port when 0 was asked for
  return UdpServerSocket(std::move(fd), local, wildcard);
}

std::size_t UdpServerSocket::receive(DatagramBatch& batch, bool wait) {
  batch.prepare_receive();
  const int got =
      ::recvmmsg(fd_.get(), batch.rx_msgs_.data(), static_cast<unsigned>(batch.capacity_),
                 wait ? MSG_WAITFORONE : MSG_DONTWAIT, nullptr);
  if (got <= 0) return 0;  // timeout (EAGAIN), EINTR, or a transient error: the caller loops
  batch.decode_received(static_cast<std::size_t>(got), want_local_);
  return static_cast<std::size_t>(got);
}

std::size_t UdpServerSocket::send(DatagramBatch& batch, std::size_t upto) {
  const std::size_t end = std::min(upto, batch.queued_);
  std::size_t refused = 0;
  std::size_t next = batch.sent_;
  while (next < end) {
    const int sent =
        ::sendmmsg(fd_.get(), batch.tx_msgs_.data() + next, static_cast<unsigned>(end - next), 0);
    if (sent < 0) {
      if (errno == EINTR) continue;
      ++refused;  // the message at `next` failed (unreachable, no buffer): skip it
      ++next;
      continue;
    }
    if (sent == 0) {  // nothing taken: count the rest as refused rather than spin
      refused += end - next;
      break;
    }
    next += static_cast<std::size_t>(sent);
  }
  batch.sent_ = end;
  return refused;
}

}  // namespace cw::platform
