// ntp/clock_correction.h — what to do with a measured offset (seed 001's clock correction): step
// the clock when |offset| exceeds a threshold (25 s by default, the seed's), slew it otherwise.
// Decided here, carried out through the injected ClockAdjuster (a fake in tests; the real one
// only behind `chronowatch query --adjust`).
#pragma once

#include <string>

#include "core/clock.h"
#include "core/time.h"

namespace cw::ntp {

inline constexpr Duration kDefaultStepThreshold = std::chrono::seconds{25};

struct Correction {
  enum class Kind { step, slew } kind = Kind::slew;
  Duration offset{};  // add this to the clock (server − local, RFC 5905's θ)

  bool operator==(const Correction&) const = default;
};

// Step when |offset| > threshold, slew otherwise (a zero offset is a zero slew).
Correction decide_correction(Duration offset, Duration step_threshold = kDefaultStepThreshold);

// Carries out `c` through `adjuster`.
void apply(const Correction& c, ClockAdjuster& adjuster);

// "step the clock by +2.500000000 s" / "slew the clock by -0.000250000 s".
std::string describe(const Correction& c);

}  // namespace cw::ntp
