// ntp/clock_correction.cpp — the step-or-slew rule of ntp/clock_correction.h.
#include "ntp/clock_correction.h"

#include <cstdio>
#include <cstdlib>

namespace cw::ntp {

Correction decide_correction(Duration offset, Duration step_threshold) {
  const Duration magnitude = offset < Duration::zero() ? -offset : offset;
  return Correction{magnitude > step_threshold ? Correction::Kind::step : Correction::Kind::slew,
                    offset};
}

void apply(const Correction& c, ClockAdjuster& adjuster) {
  if (c.kind == Correction::Kind::step) {
    adjuster.step(c.offset);
  } else {
    adjuster.slew(c.offset);
  }
}

std::string describe(const Correction& c) {
  const auto ns = c.offset.count();
  const auto magnitude = static_cast<unsigned long long>(ns < 0 ? -ns : ns);
  char text[96];
  std::snprintf(text, sizeof text, "%s the clock by %c%llu.%09llu s",
                c.kind == Correction::Kind::step ? "step" : "slew", ns < 0 ? '-' : '+',
                magnitude / 1'000'000'000ull, magnitude % 1'000'000'000ull);
  return text;
}

}  // namespace cw::ntp
