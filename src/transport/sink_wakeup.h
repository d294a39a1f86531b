// transport/sink_wakeup.h — a wake-up call between a sink's producer and its delivery thread:
// an eventfd waited on with poll(2) and a RELATIVE timeout. Why not std::condition_variable's
// wait_for: libstdc++ turns it into an absolute CLOCK_MONOTONIC deadline for
// pthread_cond_clockwait, which libfaketime does not translate, so under `faketime '+10 minutes'`
// (seed 000's very use case) every timed wait would last ten minutes longer. A relative poll
// timeout is immune to faked and to stepped clocks alike.
#pragma once

#include <chrono>

#include "core/unique_fd.h"

namespace cw::transport {

class SinkWakeup {
 public:
  SinkWakeup();  // throws std::system_error when no eventfd can be made
  void notify();
  // Returns after a notify() (since the last wait) or after `timeout`, whichever comes first.
  void wait(std::chrono::milliseconds timeout);

 private:
  UniqueFd fd_;
};

}  // namespace cw::transport
