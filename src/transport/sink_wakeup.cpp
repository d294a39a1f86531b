// transport/sink_wakeup.cpp — see transport/sink_wakeup.h.
#include "transport/sink_wakeup.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace cw::transport {

SinkWakeup::SinkWakeup() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_.get() < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

void SinkWakeup::notify() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(fd_.get(), &one, sizeof one);
}

void SinkWakeup::wait(std::chrono::milliseconds timeout) {
  pollfd entry{fd_.get(), POLLIN, 0};
  const auto ms = timeout.count() < 0 ? 0 : timeout.count();
  if (::poll(&entry, 1, static_cast<int>(std::min<long long>(ms, 1 << 30))) > 0) {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto got = ::read(fd_.get(), &count, sizeof count);
  }
}

}  // namespace cw::transport
