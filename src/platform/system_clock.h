// platform/system_clock.h — the real clocks (clock_gettime) behind core/clock.h, and the real
// randomness (getrandom) behind core/random.h. Reading only: nothing here adjusts the clock.
#pragma once

#include "core/clock.h"
#include "core/random.h"

namespace cw::platform {

class SystemClock final : public Clock {
 public:
  Timestamp now() override;
  MonotonicTime monotonic_now() override;
  MonotonicTime boot_now() override;
};

class SystemRandom final : public Random {
 public:
  void fill(std::span<std::byte> out) override;
};

}  // namespace cw::platform
