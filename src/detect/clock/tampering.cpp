// detect/clock/tampering.cpp — the judge of detect/clock/tampering.h.
#include "detect/clock/tampering.h"

#include <fmt/format.h>

#include <cmath>

namespace cw::detect {
namespace {

void attribute(events::Event& e, std::string key, events::AttributeValue value) {
  e.attributes.push_back({std::move(key), std::move(value)});
}

double ppm(std::int64_t scaled) { return double(scaled) / 65536.0; }

}  // namespace

events::Event tampering_event(std::string_view kind, Timestamp now, events::Severity severity,
                              std::string evidence) {
  events::Event e;
  e.timestamp = now;
  e.type = events::EventType::time_tampering;
  e.severity = severity;
  attribute(e, "kind", std::string(kind));
  attribute(e, "evidence", std::move(evidence));
  return e;
}

std::vector<events::Event> TamperJudge::on_processes(const std::vector<ProcessFacts>& processes,
                                                     Timestamp now) {
  std::vector<events::Event> out;
  std::set<std::pair<int, std::uint64_t>> alive;
  for (const auto& p : processes) {
    const auto id = std::pair{p.pid, p.start_time};
    alive.insert(id);
    if (reported_.count(id) != 0) continue;
    std::optional<events::Event> e;
    if (p.maps_library || p.environ_variable) {
      e = tampering_event("faketime_preload", now, events::Severity::high,
                          p.maps_library ? *p.maps_library : *p.environ_variable);
      if (p.maps_library && p.environ_variable) attribute(*e, "environ", *p.environ_variable);
    } else if (p.timens && p.timens->nonzero()) {
      e = tampering_event(
          "time_namespace", now, events::Severity::medium,
          fmt::format("monotonic {:+.9f} s, boottime {:+.9f} s", to_seconds(p.timens->monotonic),
                      to_seconds(p.timens->boottime)));
      attribute(*e, "monotonic_offset_ns", std::int64_t{p.timens->monotonic.count()});
      attribute(*e, "boottime_offset_ns", std::int64_t{p.timens->boottime.count()});
    }
    if (!e) continue;
    attribute(*e, "pid", std::int64_t{p.pid});
    attribute(*e, "command", p.command);
    attribute(*e, "uid", std::int64_t{p.uid});
    reported_.insert(id);
    out.push_back(std::move(*e));
  }
  std::erase_if(reported_, [&](const auto& id) { return alive.count(id) == 0; });
  return out;
}

std::vector<events::Event> TamperJudge::on_preload_file(const std::optional<std::string>& library,
                                                        Timestamp now) {
  std::vector<events::Event> out;
  if (library && !preload_reported_)
    out.push_back(tampering_event("faketime_preload", now, events::Severity::critical,
                                  "/etc/ld.so.preload: " + *library));
  preload_reported_ = library.has_value();
  return out;
}

std::optional<events::Event> TamperJudge::on_clock_set(Duration step, Timestamp now) {
  if (std::chrono::abs(step) < config_.min_clock_step) return std::nullopt;
  auto e =
      tampering_event("clock_set", now, events::Severity::high,
                      fmt::format("the real-time clock was set by {:+.6f} s", to_seconds(step)));
  attribute(e, "step_ns", std::int64_t{step.count()});
  return e;
}

std::optional<events::Event> TamperJudge::on_kernel_frequency(const KernelFrequency& k,
                                                              const std::string& daemon,
                                                              Timestamp now) {
  const auto previous = last_frequency_;
  last_frequency_ = k;
  std::string why;
  if (std::abs(ppm(k.frequency)) > config_.max_frequency_ppm)
    why = fmt::format("frequency {:+.3f} ppm beyond {:g} ppm", ppm(k.frequency),
                      config_.max_frequency_ppm);
  else if (k.tick != config_.nominal_tick)
    why = fmt::format("tick {} µs, not {}", k.tick, config_.nominal_tick);
  else if (previous && daemon.empty() &&
           (previous->frequency != k.frequency || previous->tick != k.tick))
    why = fmt::format("frequency changed from {:+.3f} to {:+.3f} ppm with no time daemon running",
                      ppm(previous->frequency), ppm(k.frequency));
  if (why.empty()) {
    frequency_reported_ = false;
    return std::nullopt;
  }
  if (frequency_reported_) return std::nullopt;
  frequency_reported_ = true;
  auto e = tampering_event("frequency_tampered", now, events::Severity::high, why);
  attribute(e, "frequency_ppm", ppm(k.frequency));
  attribute(e, "tick", std::int64_t{k.tick});
  return e;
}

std::optional<events::Event> TamperJudge::on_self(Timestamp libc, Timestamp raw, Timestamp now) {
  const Duration diff = libc - raw;
  if (std::chrono::abs(diff) <= config_.self_tolerance) {
    self_reported_ = false;
    return std::nullopt;
  }
  if (self_reported_) return std::nullopt;
  self_reported_ = true;
  auto e = tampering_event(
      "self", now, events::Severity::critical,
      fmt::format("libc's clock is {:+.6f} s from the kernel's (raw syscall)", to_seconds(diff)));
  attribute(e, "difference_ns", std::int64_t{diff.count()});
  return e;
}

}  // namespace cw::detect
