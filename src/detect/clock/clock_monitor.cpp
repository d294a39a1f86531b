// detect/clock/clock_monitor.cpp — see detect/clock/clock_monitor.h.
#include "detect/clock/clock_monitor.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

namespace cw::detect {

using events::EventType;
using events::Severity;

namespace {

Duration magnitude(Duration d) { return d < Duration::zero() ? -d : d; }

}  // namespace

ClockMonitor::ClockMonitor(ClockMonitorConfig config, const std::vector<std::string>& servers,
                           MonotonicTime start)
    : config_(std::move(config)),
      servers_(config_, servers, start),
      steps_(config_.step_threshold),
      frequency_(config_.frequency_window, config_.frequency_min_samples,
                 config_.frequency_min_span) {}

void ClockMonitor::reconfigure(ClockMonitorConfig config,
                               const std::optional<std::vector<std::string>>& servers,
                               MonotonicTime now) {
  if (config.step_threshold != config_.step_threshold)
    steps_ = ClockStepDetector(config.step_threshold);
  config_ = std::move(config);  // servers_ reads config_ by reference
  if (servers) {
    std::destroy_at(&servers_);
    std::construct_at(&servers_, config_, *servers, now);
  }
}

std::vector<events::Event> ClockMonitor::on_poll(const PollRound& round, Timestamp wall,
                                                 MonotonicTime now) {
  std::vector<events::Event> out;
  ++status_.rounds;
  for (const auto& outcome : round.servers) servers_.record(outcome, wall, now, out);
  if (round.combined) {
    status_.last = round.combined;
    judge_offset(*round.combined, wall, now, out);
    frequency_.add(now, round.combined->offset);
    judge_frequency(*round.combined, wall, out);
  }
  return out;
}

std::vector<events::Event> ClockMonitor::on_tick(Timestamp wall, MonotonicTime boot,
                                                 MonotonicTime now) {
  std::vector<events::Event> out;
  const auto jump = steps_.check(wall, boot);
  if (!jump) return out;
  ++status_.steps;
  frequency_.reset();      // offsets before and after a step do not lie on one line
  servers_.expedite(now);  // measure the new offset now rather than at the next poll
  events::ClockData data;
  data.step = *jump;
  const auto severity = magnitude(*jump) >= config_.threshold ? Severity::high : Severity::medium;
  out.push_back(make_clock_event(config_, wall, EventType::clock_step, severity, std::move(data)));
  return out;
}

events::Event ClockMonitor::drift_event(EventType type, const ClockSample& sample,
                                        Timestamp wall) const {
  events::ClockData data;
  data.server = sample.server;
  data.offset = sample.offset;
  data.delay = sample.delay;
  data.error_bound = sample.root_distance;
  data.stratum = sample.stratum;
  const auto severity = type == EventType::time_drift ? Severity::high : Severity::info;
  return make_clock_event(config_, wall, type, severity, std::move(data));
}

// Crossing: raise at once. Lasting: repeat at repeat_first, then doubling up to repeat_max.
// Clearing: only below threshold − hysteresis, so an offset hovering at the limit does not flap.
void ClockMonitor::judge_offset(const ClockSample& sample, Timestamp wall, MonotonicTime now,
                                std::vector<events::Event>& out) {
  const Duration size = magnitude(sample.offset);
  if (!status_.drifting) {
    if (size <= config_.threshold) return;
    status_.drifting = true;
    repeats_ = 0;
    repeat_interval_ = config_.repeat_first;
    next_repeat_ = now + repeat_interval_;
    out.push_back(drift_event(EventType::time_drift, sample, wall));
    return;
  }
  if (size < clear_level(config_)) {
    status_.drifting = false;
    out.push_back(drift_event(EventType::time_drift_cleared, sample, wall));
    return;
  }
  if (now < next_repeat_) return;
  repeat_interval_ = std::min(repeat_interval_ * 2, config_.repeat_max);
  next_repeat_ = now + repeat_interval_;
  auto event = drift_event(EventType::time_drift, sample, wall);
  event.attributes.push_back({"repeat", ++repeats_});
  out.push_back(std::move(event));
}

void ClockMonitor::judge_frequency(const ClockSample& sample, Timestamp wall,
                                   std::vector<events::Event>& out) {
  status_.frequency = frequency_.estimate(config_.threshold);
  if (!status_.frequency) return;
  const double ppm = std::abs(status_.frequency->ppm);
  if (frequency_alarm_) {
    if (ppm < config_.frequency_limit_ppm * 0.8) frequency_alarm_ = false;  // re-arm
    return;
  }
  if (ppm <= config_.frequency_limit_ppm) return;
  frequency_alarm_ = true;
  auto event = drift_event(EventType::frequency_drift, sample, wall);
  event.type = EventType::frequency_drift;
  event.severity = Severity::medium;
  std::get<events::ClockData>(event.data).frequency_ppm = status_.frequency->ppm;
  event.attributes.push_back({"limit_ppm", config_.frequency_limit_ppm});
  if (status_.frequency->time_to_threshold)
    event.attributes.push_back(
        {"seconds_to_threshold", to_seconds(*status_.frequency->time_to_threshold)});
  out.push_back(std::move(event));
}

}  // namespace cw::detect
