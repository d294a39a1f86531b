// platform/system_clock.cpp — clock_gettime and getrandom for platform/system_clock.h.
#include "platform/system_clock.h"

#include <sys/random.h>
#include <time.h>

#include <cerrno>
#include <system_error>

namespace cw::platform {
namespace {

std::int64_t read_ns(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

Timestamp SystemClock::now() { return from_unix_ns(read_ns(CLOCK_REALTIME)); }
MonotonicTime SystemClock::monotonic_now() {
  return MonotonicTime{Duration{read_ns(CLOCK_MONOTONIC)}};
}
MonotonicTime SystemClock::boot_now() { return MonotonicTime{Duration{read_ns(CLOCK_BOOTTIME)}}; }

void SystemRandom::fill(std::span<std::byte> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const auto got = ::getrandom(out.data() + done, out.size() - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    done += static_cast<std::size_t>(got);
  }
}

}  // namespace cw::platform
