// web/series.cpp — offsets by step (web/series.h).
#include "web/series.h"

#include <map>

namespace cw::web {

std::vector<SeriesPoint> offset_series(std::span<const events::Event> events, Timestamp since,
                                       Duration step) {
  std::map<std::int64_t, SeriesPoint> by_step;
  std::map<std::int64_t, long double> sums;
  for (const auto& event : events) {
    if (event.type != events::EventType::time_drift &&
        event.type != events::EventType::time_drift_cleared)
      continue;
    const auto* clock = std::get_if<events::ClockData>(&event.data);
    if (!clock || event.timestamp < since) continue;
    const auto index = (event.timestamp - since) / step;
    auto [it, added] = by_step.try_emplace(index);
    auto& point = it->second;
    if (added) {
      point.start = since + index * step;
      point.min = point.max = clock->offset;
    }
    point.min = std::min(point.min, clock->offset);
    point.max = std::max(point.max, clock->offset);
    ++point.count;
    sums[index] += static_cast<long double>(clock->offset.count());
  }
  std::vector<SeriesPoint> out;
  for (auto& [index, point] : by_step) {
    point.mean_ns = static_cast<double>(sums[index] / static_cast<long double>(point.count));
    out.push_back(point);
  }
  return out;
}

nlohmann::ordered_json series_to_json(const std::string& agent, Duration step,
                                      const std::vector<SeriesPoint>& points) {
  auto list = nlohmann::ordered_json::array();
  for (const auto& p : points)
    list.push_back({{"t", to_iso8601(p.start)},
                    {"min", to_seconds(p.min)},
                    {"max", to_seconds(p.max)},
                    {"mean", p.mean_ns / 1e9},
                    {"count", p.count}});
  return {{"agent", agent},
          {"step_seconds", std::chrono::duration_cast<std::chrono::seconds>(step).count()},
          {"points", list}};
}

}  // namespace cw::web
