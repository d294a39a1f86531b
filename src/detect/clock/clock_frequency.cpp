// detect/clock/clock_frequency.cpp — see detect/clock/clock_frequency.h. Times and offsets are
// taken relative to the first sample (integer ns) before converting to double, so precision does
// not depend on the absolute clock readings.
#include "detect/clock/clock_frequency.h"

#include <cmath>

namespace cw::detect {

void FrequencyEstimator::add(MonotonicTime at, Duration offset) {
  samples_.push_back({at, offset});
  while (samples_.size() > window_) samples_.pop_front();
}

std::optional<FrequencyEstimate> FrequencyEstimator::estimate(Duration threshold) const {
  if (samples_.size() < min_samples_ || samples_.size() < 2) return std::nullopt;
  if (samples_.back().at - samples_.front().at < min_span_) return std::nullopt;
  const auto origin = samples_.front();
  double sum_x = 0, sum_y = 0;
  for (const auto& p : samples_) {
    sum_x += to_seconds(p.at - origin.at);
    sum_y += to_seconds(p.offset - origin.offset);
  }
  const double n = static_cast<double>(samples_.size());
  const double mean_x = sum_x / n, mean_y = sum_y / n;
  double sxx = 0, sxy = 0;
  for (const auto& p : samples_) {
    const double dx = to_seconds(p.at - origin.at) - mean_x;
    sxx += dx * dx;
    sxy += dx * (to_seconds(p.offset - origin.offset) - mean_y);
  }
  if (sxx <= 0) return std::nullopt;
  const double slope = sxy / sxx;  // seconds of offset per second
  const double last_x = to_seconds(samples_.back().at - origin.at);
  const double offset_now = to_seconds(origin.offset) + mean_y + slope * (last_x - mean_x);

  FrequencyEstimate result;
  result.ppm = -slope * 1e6;
  result.offset_now = from_seconds(offset_now);
  result.samples = samples_.size();
  const double limit = to_seconds(threshold);
  if (std::abs(offset_now) >= limit) {
    result.time_to_threshold = Duration::zero();
  } else if (slope != 0 && (slope > 0) == (offset_now >= 0)) {  // moving away from zero
    result.time_to_threshold = from_seconds((limit - std::abs(offset_now)) / std::abs(slope));
  } else if (slope != 0) {  // moving towards zero: it crosses the opposite threshold eventually
    result.time_to_threshold = from_seconds((limit + std::abs(offset_now)) / std::abs(slope));
  }
  return result;
}

}  // namespace cw::detect
