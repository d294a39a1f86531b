// tests/support/fake_clock.h — a simulated clock and a scripted random source for unit tests:
// time moves only when the test says so, and can be stepped like `date -s` would.
#pragma once

#include <cstring>
#include <vector>

#include "core/clock.h"
#include "core/random.h"

namespace cw::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start = from_unix_ns(1'700'000'000'000'000'000)) : wall_(start) {}

  Timestamp now() override { return wall_; }
  MonotonicTime monotonic_now() override { return monotonic_; }
  MonotonicTime boot_now() override { return monotonic_ + suspended_; }

  void advance(Duration d) {  // time passes: every clock moves
    wall_ += d;
    monotonic_ += d;
  }
  void step_wall(Duration d) { wall_ += d; }  // someone set the wall clock
  void suspend(Duration d) {                  // the machine slept: boot time and wall move
    wall_ += d;
    suspended_ += d;
  }

 private:
  Timestamp wall_;
  MonotonicTime monotonic_{Duration{1'000'000'000}};
  Duration suspended_{0};
};

// Returns the bytes 1, 2, 3, ... (wrapping), so every "random" value is known to the test.
class CountingRandom final : public Random {
 public:
  void fill(std::span<std::byte> out) override {
    for (auto& b : out) b = static_cast<std::byte>(++counter_);
  }

 private:
  unsigned char counter_ = 0;
};

}  // namespace cw::testing
