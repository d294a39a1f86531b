// detect/clock/clock_frequency.h — estimates the local clock's frequency error from recent offsets
// by least-squares regression of offset against monotonic time, and predicts when the offset will
// cross the drift threshold if the trend goes on. Pure: samples in, estimate out.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>

#include "core/time.h"

namespace cw::detect {

struct FrequencyEstimate {
  double ppm = 0;                             // positive: the local clock runs fast (offsets fall)
  Duration offset_now{};                      // the regression's offset at the latest sample
  std::optional<Duration> time_to_threshold;  // nullopt: the trend does not lead there
  std::size_t samples = 0;
};

class FrequencyEstimator {
 public:
  FrequencyEstimator(std::size_t window, std::size_t min_samples, Duration min_span)
      : window_(window), min_samples_(min_samples), min_span_(min_span) {}

  void add(MonotonicTime at, Duration offset);
  void reset() { samples_.clear(); }  // after a clock step, old offsets no longer line up

  // nullopt until there are enough samples over a long enough span.
  std::optional<FrequencyEstimate> estimate(Duration threshold) const;

 private:
  struct Point {
    MonotonicTime at;
    Duration offset;
  };
  std::size_t window_;
  std::size_t min_samples_;
  Duration min_span_;
  std::deque<Point> samples_;
};

}  // namespace cw::detect
