// core/time.cpp — conversions and formatting for core/time.h.
#include "core/time.h"

#include <cmath>
#include <fmt/chrono.h>
#include <fmt/format.h>

namespace cw {

Duration from_seconds(double seconds) { return Duration{std::llround(seconds * 1e9)}; }

std::string to_iso8601(Timestamp t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t - seconds).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", seconds, micros);
}

}  // namespace cw
