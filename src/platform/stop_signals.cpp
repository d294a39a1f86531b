// platform/stop_signals.cpp — see platform/stop_signals.h.
#include "platform/stop_signals.h"

#include <pthread.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

namespace cw::platform {

StopSignals::StopSignals() {
  sigemptyset(&stop_set_);
  sigaddset(&stop_set_, SIGINT);
  sigaddset(&stop_set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_set_, &previous_);
}

StopSignals::~StopSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

bool StopSignals::wait(Duration timeout) {
  if (stopped_) return true;
  const auto ns = std::max<std::int64_t>(timeout.count(), 0);
  timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  const int signal = ::sigtimedwait(&stop_set_, nullptr, &ts);
  if (signal == SIGINT || signal == SIGTERM) stopped_ = true;
  return stopped_;
}

}  // namespace cw::platform
