// platform/udp_client.h — a small connected UDP socket for one client exchange at a time (NTP
// queries): send, then wait until a deadline for the answer, with the kernel's receive timestamp
// (SO_TIMESTAMPNS) as the arrival time. IPv4 and IPv6. Batched server sockets live elsewhere.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/unique_fd.h"
#include "platform/socket_address.h"

namespace cw::platform {

enum class ReceiveError {
  timeout,  // nothing arrived before the deadline
  refused,  // ICMP port unreachable: nothing listens there (ECONNREFUSED)
  failed,   // another socket error (see errno text in the log)
};
const char* to_string(ReceiveError e);

struct Received {
  std::span<const std::byte> bytes;  // within the caller's buffer
  Timestamp received_at;             // T4
  bool kernel_timestamp = false;     // false: read from the Clock after recvmsg returned
};

class UdpClient {
 public:
  struct Options {
    // Use the kernel's receive timestamp for T4. Turn off when the process's clock is shifted in
    // user space (libfaketime does not touch SO_TIMESTAMPNS), so T1 and T4 come from one clock.
    bool kernel_timestamps = true;
  };

  // A UDP socket of server's family, connected to it (so only its datagrams arrive). Throws
  // std::system_error when the socket cannot be created or connected.
  UdpClient(const SocketAddress& server, Clock& clock, Options options);
  UdpClient(const SocketAddress& server, Clock& clock) : UdpClient(server, clock, Options{}) {}

  // Sends one datagram; returns T1, read from the clock right before the send. Throws
  // std::system_error on a send failure other than ECONNREFUSED from an earlier ICMP error.
  Timestamp send(std::span<const std::byte> datagram);

  // Waits until `deadline` (on the clock's monotonic time) for one datagram into `buffer`.
  // Datagrams longer than the buffer are dropped (never handed over truncated).
  Result<Received, ReceiveError> receive(std::span<std::byte> buffer, MonotonicTime deadline);

  // One datagram if one is queued, without waiting (timeout: none is).
  Result<Received, ReceiveError> try_receive(std::span<std::byte> buffer);

  const SocketAddress& server() const { return server_; }
  int fd() const { return fd_.get(); }

 private:
  SocketAddress server_;
  Clock* clock_;
  Options options_;
  UniqueFd fd_;
};

// Waits until one of `fds` is readable or `deadline` (the clock's monotonic time) passes, and puts
// the positions of the readable ones into `ready` (cleared first). EINTR is retried.
void wait_readable(std::span<const int> fds, MonotonicTime deadline, Clock& clock,
                   std::vector<std::size_t>& ready);

}  // namespace cw::platform
