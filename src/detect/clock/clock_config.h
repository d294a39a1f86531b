// detect/clock/clock_config.h — the limits the clock monitor judges by, and the helper that dresses
// a finding as an events::Event. Defaults follow seed 000 (threshold 300 s, poll 64 s).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/time.h"
#include "events/event.h"

namespace cw::detect {

using namespace std::chrono_literals;

struct ClockMonitorConfig {
  std::string agent_id;
  Duration threshold = 300s;     // |offset| above this is time_drift (seed 000's THRESHOLD)
  Duration hysteresis{};         // cleared below threshold − hysteresis; zero means threshold/10
  Duration repeat_first = 5min;  // first repeat of time_drift while it lasts ...
  Duration repeat_max = 1h;      // ... then doubling up to this
  Duration step_threshold = 100ms;   // wall vs boot clock jump that counts as clock_step
  double frequency_limit_ppm = 100;  // |frequency error| above this is frequency_drift
  std::size_t frequency_window = 8;  // samples in the regression
  std::size_t frequency_min_samples = 4;
  Duration frequency_min_span = 3min;  // first to last sample, before any estimate is trusted
  int unreachable_after = 3;           // consecutive failed polls before ntp_unreachable
  Duration poll_interval = 64s;        // the agent's poll interval
  Duration max_poll_interval = 36h;    // cap of the back-off after a RATE kiss
};

// Clearing level: threshold − hysteresis (hysteresis defaults to a tenth of the threshold).
Duration clear_level(const ClockMonitorConfig& config);

events::Event make_clock_event(const ClockMonitorConfig& config, Timestamp now,
                               events::EventType type, events::Severity severity,
                               events::ClockData data);

}  // namespace cw::detect
