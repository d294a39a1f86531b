// platform/clock_precision.h — the precision of the system clock as NTP states it (RFC 5905 §7.3
// "Precision": log2 seconds), measured at start by reading the clock many times.
#pragma once

#include <cstdint>

#include "core/clock.h"

namespace cw::platform {

// The smallest non-zero step between successive readings of clock.now() (its resolution plus
// the cost of a reading), as log2 seconds rounded up: e.g. −24 for ~60 ns.
std::int8_t measure_precision(Clock& clock);

}  // namespace cw::platform
