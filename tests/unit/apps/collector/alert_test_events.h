// tests/unit/apps/collector/alert_test_events.h — one agent's batch of events for the alerting
// feed tests: heartbeats, and a time_drift (high: it alerts) every 7th sequence.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "events/event.h"

namespace cw::apps::testing {

inline std::vector<events::Event> batch(const std::string& agent, std::uint64_t first,
                                        std::size_t n) {
  std::vector<events::Event> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& e = out[i];
    e.timestamp = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
    e.agent_id = agent;
    e.sequence = first + i;
    if (e.sequence % 7 == 0) {
      e.type = events::EventType::time_drift;
      e.severity = events::Severity::high;
      e.data = events::ClockData{};
    } else {
      e.data = events::HeartbeatData{};
    }
  }
  return out;
}

}  // namespace cw::apps::testing
