// platform/epoll_set.cpp — epoll_create1/epoll_ctl/epoll_wait behind EpollSet (epoll_set.h).
#include "platform/epoll_set.h"

#include <sys/epoll.h>

#include <cerrno>
#include <system_error>

namespace cw::platform {

EpollSet::EpollSet() : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (!epoll_) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

void EpollSet::add(int fd, std::uint32_t tag) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u32 = tag;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0)
    throw std::system_error(errno, std::generic_category(), "epoll_ctl");
  ++watched_;
}

void EpollSet::wait(std::chrono::milliseconds timeout, std::vector<std::uint32_t>& ready) {
  ready.clear();
  std::vector<epoll_event> events(watched_ == 0 ? 1 : watched_);
  const int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()),
                             static_cast<int>(timeout.count()));
  for (int i = 0; i < n; ++i) ready.push_back(events[static_cast<std::size_t>(i)].data.u32);
}

}  // namespace cw::platform
