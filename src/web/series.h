// web/series.h — an agent's clock offsets folded into fixed steps (min, max, mean, count per
// step), so a chart over days needs no more than a few thousand points. Pure: no I/O.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "events/event.h"

namespace cw::web {

struct SeriesPoint {
  Timestamp start;
  Duration min{}, max{};
  double mean_ns = 0;
  std::uint64_t count = 0;
};

// Offsets of the clock events (time_drift, time_drift_cleared) in [since, since + n·step); only
// steps that hold a sample appear, oldest first.
std::vector<SeriesPoint> offset_series(std::span<const events::Event> events, Timestamp since,
                                       Duration step);
nlohmann::ordered_json series_to_json(const std::string& agent, Duration step,
                                      const std::vector<SeriesPoint>& points);

}  // namespace cw::web
