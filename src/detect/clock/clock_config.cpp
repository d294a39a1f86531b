// detect/clock/clock_config.cpp — helpers of detect/clock/clock_config.h.
#include "detect/clock/clock_config.h"

#include <utility>

namespace cw::detect {

Duration clear_level(const ClockMonitorConfig& config) {
  const Duration hysteresis =
      config.hysteresis > Duration::zero() ? config.hysteresis : config.threshold / 10;
  return hysteresis < config.threshold ? config.threshold - hysteresis : Duration::zero();
}

events::Event make_clock_event(const ClockMonitorConfig& config, Timestamp now,
                               events::EventType type, events::Severity severity,
                               events::ClockData data) {
  events::Event event;
  event.timestamp = now;
  event.agent_id = config.agent_id;
  event.type = type;
  event.severity = severity;
  data.threshold = config.threshold;
  event.data = std::move(data);
  return event;
}

}  // namespace cw::detect
