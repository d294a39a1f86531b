// platform/clock_precision.cpp — measure_precision (platform/clock_precision.h), the way ntpd and
// chronyd do it: the minimum positive difference over a few hundred successive readings.
#include "platform/clock_precision.h"

#include <algorithm>
#include <cmath>

namespace cw::platform {

std::int8_t measure_precision(Clock& clock) {
  Duration best = std::chrono::seconds(1);
  Timestamp previous = clock.now();
  for (int i = 0; i < 1000; ++i) {
    const Timestamp t = clock.now();
    if (t > previous) best = std::min(best, t - previous);
    previous = t;
  }
  const double seconds = std::max(to_seconds(best), 1e-9);
  return static_cast<std::int8_t>(
      std::clamp(static_cast<int>(std::ceil(std::log2(seconds))), -30, 0));
}

}  // namespace cw::platform
