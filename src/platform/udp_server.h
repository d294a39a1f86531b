// platform/udp_server.h — the NTP server's socket: one UDP socket bound to one listen address
// (IPv4 or IPv6, SO_REUSEPORT shared only among this process's worker threads, each owning its
// own socket; an address another process holds is refused), receiving and replying
// in batches (recvmmsg/sendmmsg) with the kernel's receive timestamp (SO_TIMESTAMPNS) for each
// datagram, and — when bound to a wildcard address — replies sent from the address the request
// was sent to (IP_PKTINFO / IPV6_RECVPKTINFO).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "core/unique_fd.h"
#include "platform/socket_address.h"

namespace cw::platform {

// What the kernel told us about one received datagram.
struct ReceivedDatagram {
  std::span<const std::byte> bytes;
  Timestamp received_at;  // SO_TIMESTAMPNS (CLOCK_REALTIME) — T2 before any virtual correction
  SocketAddress peer;
  bool truncated = false;  // larger than the receive buffer: never answer it
};

// Preallocated buffers for one worker: up to `capacity` datagrams received at once and the replies
// to them. Owned by one thread; no allocation after construction.
class DatagramBatch {
 public:
  explicit DatagramBatch(std::size_t capacity = 64, std::size_t datagram_size = 2048);
  DatagramBatch(const DatagramBatch&) = delete;
  DatagramBatch& operator=(const DatagramBatch&) = delete;

  std::size_t capacity() const { return capacity_; }
  std::size_t received() const { return received_; }
  const ReceivedDatagram& datagram(std::size_t i) const { return datagrams_[i]; }
  // The buffer for the reply to datagram i; queue_reply(i, n) sends its first n bytes.
  std::span<std::byte> reply_buffer(std::size_t i);
  void queue_reply(std::size_t i, std::size_t size);
  std::size_t queued() const { return queued_; }
  std::size_t sent() const { return sent_; }  // queued replies already handed to the kernel
  // The bytes of the k-th queued reply, for a last touch (transmit timestamp) before sending.
  std::span<std::byte> queued_reply(std::size_t k);
  std::size_t queued_source(std::size_t k) const {
    return tx_source_[k];
  }  // the datagram it answers

 private:
  friend class UdpServerSocket;
  struct Local {  // the request's destination address, when the socket asked for it
    int family = 0;
    in_pktinfo v4{};
    in6_pktinfo v6{};
  };
  void prepare_receive();
  void decode_received(std::size_t count, bool want_local);

  std::size_t capacity_;
  std::size_t datagram_size_;
  std::vector<std::byte> rx_bytes_, tx_bytes_;
  std::vector<std::byte> rx_control_, tx_control_;
  std::vector<sockaddr_storage> peers_;
  std::vector<iovec> rx_iov_, tx_iov_;
  std::vector<mmsghdr> rx_msgs_, tx_msgs_;
  std::vector<ReceivedDatagram> datagrams_;
  std::vector<Local> locals_;
  std::vector<std::size_t> tx_source_;  // queued reply k answers datagram tx_source_[k]
  std::size_t received_ = 0;
  std::size_t queued_ = 0;
  std::size_t sent_ = 0;
};

// How a socket shares its address. SO_REUSEPORT lets any socket of the same user join, a running
// chronyd included; so the first socket binds alone (the kernel refuses it when any other socket
// holds the address) and only then turns SO_REUSEPORT on, for the sockets of this process that
// join it.
enum class PortSharing {
  exclusive,  // bind alone, and stay alone
  found,      // bind alone (refused: "address in use by another process"), then let `join` share
  join,       // bind beside a `found` socket of this process (SO_REUSEPORT before bind)
};

struct SocketOptions {
  PortSharing sharing = PortSharing::found;
  int receive_buffer_bytes = 4 << 20;
  Duration receive_timeout = std::chrono::milliseconds(250);  // so a worker can notice a stop
};

class UdpServerSocket {
 public:
  // Binds `listen`; throws std::system_error naming the address when that fails.
  static UdpServerSocket open(const SocketAddress& listen, const SocketOptions& options);

  // Takes all queued datagrams up to the batch's capacity. With `wait`, first waits (up to the
  // receive timeout) for one; without, returns 0 at once when none is queued (for spinning).
  // Returns how many; 0 on timeout or interruption.
  std::size_t receive(DatagramBatch& batch, bool wait = true);
  // Sends the queued replies not sent yet, up to (not including) the `upto`-th queued one
  // (default: all), so that replies can leave one by one or in chunks as soon as they are sealed.
  // Returns how many the kernel refused (counted by the caller).
  std::size_t send(DatagramBatch& batch, std::size_t upto = SIZE_MAX);

  int fd() const { return fd_.get(); }
  const SocketAddress& local() const { return local_; }

 private:
  UdpServerSocket(UniqueFd fd, SocketAddress local, bool want_local)
      : fd_(std::move(fd)), local_(local), want_local_(want_local) {}
  UniqueFd fd_;
  SocketAddress local_;
  bool want_local_;  // wildcard bind: reply from the request's destination address
};

}  // namespace cw::platform
