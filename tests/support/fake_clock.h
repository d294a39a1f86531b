// tests/support/fake_clock.h — a simulated clock and a scripted random source for unit tests:
// time moves only when the test says so, and can be stepped like `date -s` would.
#pragma once

#include <atomic>
#include <cstring>
#include <vector>

#include "core/clock.h"
#include "core/random.h"

namespace cw::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start = from_unix_ns(1'700'000'000'000'000'000)) : wall_(start) {}

  // Readable from other threads (a collector's loop) while the test moves it.
  Timestamp now() override { return wall_.load(); }
  MonotonicTime monotonic_now() override { return monotonic_.load(); }
  MonotonicTime boot_now() override { return monotonic_.load() + suspended_.load(); }

  void advance(Duration d) {  // time passes: every clock moves
    wall_.store(wall_.load() + d);
    monotonic_.store(monotonic_.load() + d);
  }
  void step_wall(Duration d) { wall_.store(wall_.load() + d); }  // someone set the wall clock
  void suspend(Duration d) {  // the machine slept: boot time and wall move
    wall_.store(wall_.load() + d);
    suspended_.store(suspended_.load() + d);
  }

 private:
  std::atomic<Timestamp> wall_;
  std::atomic<MonotonicTime> monotonic_{MonotonicTime{Duration{1'000'000'000}}};
  std::atomic<Duration> suspended_{Duration{0}};
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
