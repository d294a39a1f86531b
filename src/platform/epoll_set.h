// platform/epoll_set.h — a level-triggered epoll(7) set of file descriptors, each with a tag,
// for loops that watch many descriptors (ZeroMQ sockets' ZMQ_FD, for `chronowatch simulate`'s
// thousand agents) at a cost per ready descriptor rather than per watched one.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "core/unique_fd.h"

namespace cw::platform {

class EpollSet {
 public:
  EpollSet();                           // throws std::system_error if the kernel refuses
  void add(int fd, std::uint32_t tag);  // watch for readability; throws std::system_error
  // Waits up to `timeout` and appends the tags of readable descriptors to `ready` (cleared first).
  void wait(std::chrono::milliseconds timeout, std::vector<std::uint32_t>& ready);

 private:
  UniqueFd epoll_;
  std::size_t watched_ = 0;
};

}  // namespace cw::platform
