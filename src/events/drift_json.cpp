// events/drift_json.cpp — see events/drift_json.h.
#include "events/drift_json.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace cw::events {
namespace {

// Whole seconds as integers (the seed prints `"threshold": 300`), others with ns precision.
nlohmann::ordered_json seconds(Duration d) {
  if (d.count() % 1'000'000'000 == 0) return d.count() / 1'000'000'000;
  return to_seconds(d);
}

void add_clock(nlohmann::ordered_json& out, const ClockData& clock, EventType type) {
  out["offset"] = to_seconds(clock.offset);
  out["abs_offset"] = std::abs(to_seconds(clock.offset));
  out["threshold"] = seconds(clock.threshold);
  out["server"] = clock.server;
  out["delay"] = to_seconds(clock.delay);
  out["stratum"] = clock.stratum;
  out["error_bound"] = to_seconds(clock.error_bound);
  if (type == EventType::clock_step) out["step"] = to_seconds(clock.step);
  if (type == EventType::frequency_drift) out["frequency_ppm"] = clock.frequency_ppm;
}

void add_attributes(nlohmann::ordered_json& out, const std::vector<Attribute>& attributes) {
  for (const auto& attribute : attributes) {
    if (out.contains(attribute.key)) continue;  // the schema's fields win over free ones
    std::visit([&](const auto& value) { out[attribute.key] = value; }, attribute.value);
  }
}

}  // namespace

std::string to_drift_json(const Event& event) {
  nlohmann::ordered_json out;
  out["event"] = to_string(event.type);
  if (const auto* clock = std::get_if<ClockData>(&event.data)) add_clock(out, *clock, event.type);
  out["timestamp"] = to_iso8601(event.timestamp);
  out["agent_id"] = event.agent_id;
  out["severity"] = to_string(event.severity);
  out["sequence"] = event.sequence;
  add_attributes(out, event.attributes);
  return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace cw::events
