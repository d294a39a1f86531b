// platform/system_clock_adjuster.h — the real ClockAdjuster: steps CLOCK_REALTIME with
// clock_settime(2) and slews it with adjtime(3). Constructed only behind an explicit user flag
// (`chronowatch query --adjust`); never used by tests, which record adjustments with a fake.
#pragma once

#include "core/clock.h"

namespace cw::platform {

class SystemClockAdjuster final : public ClockAdjuster {
 public:
  // Both throw std::system_error (e.g. EPERM without CAP_SYS_TIME, EINVAL for a slew that
  // adjtime cannot take).
  void step(Duration offset) override;
  void slew(Duration offset) override;
};

}  // namespace cw::platform
