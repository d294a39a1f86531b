// core/time.h — the project's time vocabulary: Duration and Timestamp as integer nanoseconds
// (UTC, Unix epoch), conversions to seconds for display, and ISO 8601 formatting.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cw {

using Duration = std::chrono::nanoseconds;
// A point on the UTC wall clock, in integer nanoseconds since 1970-01-01T00:00:00Z.
using Timestamp = std::chrono::time_point<std::chrono::system_clock, Duration>;
// A point on a monotonic clock (CLOCK_MONOTONIC or CLOCK_BOOTTIME); only differences mean anything.
using MonotonicTime = std::chrono::time_point<std::chrono::steady_clock, Duration>;

constexpr Timestamp from_unix_ns(std::int64_t ns) { return Timestamp{Duration{ns}}; }
constexpr std::int64_t unix_ns(Timestamp t) { return t.time_since_epoch().count(); }

// Seconds as a double, for display and JSON only; arithmetic stays in integer nanoseconds.
constexpr double to_seconds(Duration d) { return static_cast<double>(d.count()) / 1e9; }
Duration from_seconds(double seconds);

// "2025-11-29T17:05:01.442511Z": UTC with microseconds, the timestamp format of seed 000.
std::string to_iso8601(Timestamp t);

// Parses ISO 8601 / RFC 3339 UTC or offset times: "2025-11-29T17:05:01.442511Z",
// "2025-11-29 17:05:01+02:00", "2025-11-29T17:05" (no zone = UTC), "2025-11-29" (midnight UTC).
// Fractions keep up to nanoseconds. nullopt for anything else (including invalid dates).
std::optional<Timestamp> parse_iso8601(std::string_view text);

}  // namespace cw
