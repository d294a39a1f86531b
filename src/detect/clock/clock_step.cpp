// detect/clock/clock_step.cpp — see detect/clock/clock_step.h.
#include "detect/clock/clock_step.h"

namespace cw::detect {

std::optional<Duration> ClockStepDetector::check(Timestamp wall, MonotonicTime boot) {
  const Duration difference = wall.time_since_epoch() - boot.time_since_epoch();
  const auto previous = baseline_;
  baseline_ = difference;  // the next check compares against the new, stepped, difference
  if (!previous) return std::nullopt;
  const Duration jump = difference - *previous;
  const Duration magnitude = jump < Duration::zero() ? -jump : jump;
  if (magnitude <= threshold_) return std::nullopt;
  return jump;
}

}  // namespace cw::detect
