// platform/system_clock_adjuster.cpp — clock_settime(2) and adjtime(3) for
// platform/system_clock_adjuster.h.
#include "platform/system_clock_adjuster.h"

#include <sys/time.h>
#include <time.h>

#include <cerrno>
#include <system_error>

namespace cw::platform {
namespace {

constexpr std::int64_t kNanos = 1'000'000'000;

}  // namespace

void SystemClockAdjuster::step(Duration offset) {
  timespec now{};
  if (::clock_gettime(CLOCK_REALTIME, &now) != 0)
    throw std::system_error(errno, std::generic_category(), "clock_gettime");
  const std::int64_t target = std::int64_t{now.tv_sec} * kNanos + now.tv_nsec + offset.count();
  timespec next{};
  next.tv_sec = static_cast<time_t>(target / kNanos);
  next.tv_nsec = static_cast<long>(target % kNanos);
  if (next.tv_nsec < 0) {
    next.tv_nsec += kNanos;
    next.tv_sec -= 1;
  }
  if (::clock_settime(CLOCK_REALTIME, &next) != 0)
    throw std::system_error(errno, std::generic_category(), "clock_settime (step the clock)");
}

void SystemClockAdjuster::slew(Duration offset) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(offset).count();
  timeval delta{};
  delta.tv_sec = static_cast<time_t>(micros / 1'000'000);
  delta.tv_usec = static_cast<suseconds_t>(micros % 1'000'000);
  if (delta.tv_usec < 0) {
    delta.tv_usec += 1'000'000;
    delta.tv_sec -= 1;
  }
  if (::adjtime(&delta, nullptr) != 0)
    throw std::system_error(errno, std::generic_category(), "adjtime (slew the clock)");
}

}  // namespace cw::platform
