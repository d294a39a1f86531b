// core/clock.h — the clocks a component reads, as an interface injected by main (platform/
// implements it over clock_gettime; tests use a simulated one). Adjusting the clock is a separate,
// explicit interface so that nothing can move the system clock by accident.
#pragma once

#include "core/time.h"

namespace cw {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() = 0;                // CLOCK_REALTIME
  virtual MonotonicTime monotonic_now() = 0;  // CLOCK_MONOTONIC: never steps
  virtual MonotonicTime boot_now() = 0;       // CLOCK_BOOTTIME: also counts suspend
};

// Corrects a clock. Real implementations exist only behind an explicit user flag.
class ClockAdjuster {
 public:
  virtual ~ClockAdjuster() = default;
  virtual void step(Duration offset) = 0;  // jump by offset at once
  virtual void slew(Duration offset) = 0;  // remove offset gradually
};

}  // namespace cw
