// detect/clock/clock_step.h — notices the wall clock jumping (`date -s`, a settimeofday by a time
// daemon, a faked clock) by watching CLOCK_REALTIME against CLOCK_BOOTTIME: while nobody sets the
// clock their difference changes only by slewing (≤ 500 ppm, RFC 5905 §1), so a change above the
// step threshold between two checks is a step. CLOCK_BOOTTIME counts suspend, so a resumed machine
// is not mistaken for a step. Pure: the shell passes both readings every ~250 ms.
#pragma once

#include <optional>

#include "core/time.h"

namespace cw::detect {

class ClockStepDetector {
 public:
  explicit ClockStepDetector(Duration threshold) : threshold_(threshold) {}

  // The jump since the previous check (positive: the wall clock moved forward), if it exceeds
  // the threshold. The first call only takes the baseline.
  std::optional<Duration> check(Timestamp wall, MonotonicTime boot);

 private:
  Duration threshold_;
  std::optional<Duration> baseline_;  // wall − boot at the previous check
};

}  // namespace cw::detect
