// tests/unit/detect/harness.h — drives NetworkDetectors with literal frames at literal times and
// keeps the events it reports.
#pragma once

#include <algorithm>
#include <vector>

#include "detect/network_detectors.h"
#include "frames.h"

namespace cw::detect::test {

inline Timestamp at(double seconds) {
  return from_unix_ns(static_cast<std::int64_t>(1.7e18 + seconds * 1e9));
}

struct Harness {
  explicit Harness(NetmonConfig c = {})
      : config(std::move(c)),
        detectors(config, [this](events::Event&& e) { keep(std::move(e)); }) {}
  // Every record goes to `records`; `events` holds one per attack (its `ended` record) and the
  // events that have no phase (sensitive ports, Modbus, NTP).
  void keep(events::Event&& e) {
    records.push_back(e);
    for (const auto& a : e.attributes)
      if (a.key == "phase" && std::get<std::string>(a.value) != "ended") return;
    events.push_back(std::move(e));
  }
  std::vector<std::string> phases() const {
    std::vector<std::string> out;
    for (const auto& e : records)
      for (const auto& a : e.attributes)
        if (a.key == "phase") out.push_back(std::get<std::string>(a.value));
    return out;
  }
  void send(const Frame& f, double seconds) {
    detectors.on_frame(LinkType::ethernet, f, at(seconds));
  }
  std::size_t count(events::EventType type) const {
    return static_cast<std::size_t>(
        std::count_if(events.begin(), events.end(), [&](const auto& e) { return e.type == type; }));
  }
  const events::NetworkData& net(std::size_t i) const {
    return std::get<events::NetworkData>(events.at(i).data);
  }
  std::vector<std::string> modbus_kinds() const {
    std::vector<std::string> kinds;
    for (const auto& e : events)
      if (e.type == events::EventType::modbus_anomaly)
        kinds.push_back(std::get<events::NetworkData>(e.data).kind);
    return kinds;
  }
  std::int64_t attribute(std::size_t i, const std::string& key) const {
    for (const auto& a : events.at(i).attributes)
      if (a.key == key) return std::get<std::int64_t>(a.value);
    return -1;
  }

  NetmonConfig config;
  std::vector<events::Event> events, records;
  NetworkDetectors detectors;
};

}  // namespace cw::detect::test
