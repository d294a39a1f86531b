// platform/stop_signals.h — SIGINT/SIGTERM as something a daemon's main loop waits on: the
// signals are blocked (so every thread started afterwards inherits the mask and only the main
// loop sees them) and `wait` sleeps until the timeout or a stop signal, whichever comes first.
// No handler, no global flag. Create it before starting any thread.
#pragma once

#include <signal.h>

#include "core/time.h"

namespace cw::platform {

class StopSignals {
 public:
  StopSignals();   // blocks SIGINT and SIGTERM in the calling thread
  ~StopSignals();  // restores the previous mask
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Sleeps up to `timeout`; true when SIGINT or SIGTERM arrived (now or earlier).
  bool wait(Duration timeout);
  bool stop_requested() const { return stopped_; }

 private:
  sigset_t stop_set_{};
  sigset_t previous_{};
  bool stopped_ = false;
};

}  // namespace cw::platform
