// detect/net/flow/connection_flood.cpp — sliding-window connection counting of
// detect/net/flow/connection_flood.h.
#include "detect/net/flow/connection_flood.h"

#include <algorithm>

namespace cw::detect {

ConnectionFloodDetector::ConnectionFloodDetector(const NetmonConfig& config, EventSink& sink)
    : config_(config.connection_flood),
      idle_(config.attack_idle),
      report_interval_(config.report_interval),
      baseline_(config.adaptive),
      sink_(sink),
      sources_(config.connection_flood.max_sources) {}

double ConnectionFloodDetector::rate(const Source& s, Timestamp now) const {
  const double elapsed = double((now - s.window_start).count()) / double(config_.window.count());
  return double(s.current) + double(s.previous) * std::max(0.0, 1.0 - elapsed);
}

void ConnectionFloodDetector::on_connection(const FlowKey& flow, Timestamp now) {
  auto found = sources_.get_or_insert(flow.client, [&](const IpAddress& evicted, Source& s) {
    if (s.alarm) report(evicted, s, now, Phase::ended);
  });
  Source& s = found.value;
  if (found.inserted) {
    s.window_start = s.first = now;
    s.first_destination = flow.server;
  }
  if (now - s.window_start >= config_.window) {  // slide: the finished window becomes "previous"
    const bool adjacent = now - s.window_start < 2 * config_.window;
    if (!s.alarm) baseline_.observe(double(s.current));
    s.previous = adjacent ? s.current : 0;
    s.current = 0;
    s.window_start += ((now - s.window_start) / config_.window) * config_.window;
  }
  ++s.current;
  ++s.episode;
  s.last = later(s.last, now);
  s.ports.add(flow.server_port);
  if (flow.server != s.first_destination) s.many_destinations = true;
  const double limit = baseline_.threshold(double(config_.max_connections_per_ip));
  if (!s.alarm && rate(s, now) > limit) {
    s.alarm = true;
    s.alarm_at = s.last_report = now;
    active_.push_back(flow.client);
    report(flow.client, s, now, Phase::detected);
  }
  if (!s.alarm && s.current == 1 && s.previous == 0) {  // a new episode starts from here
    s.first = now;
    s.episode = 1;
    s.first_destination = flow.server;
    s.many_destinations = false;
    s.ports = {};
    s.ports.add(flow.server_port);
  }
}

void ConnectionFloodDetector::report(const IpAddress& source, Source& s, Timestamp now,
                                     Phase phase) {
  events::NetworkData data;
  data.source = source;
  if (!s.many_destinations) data.destination = s.first_destination;
  s.ports.copy_to(data.ports);
  data.count = static_cast<std::uint32_t>(std::min<std::uint64_t>(s.episode, UINT32_MAX));
  data.duration = s.last - s.first;
  auto event = network_event(events::EventType::connection_flood, events::Severity::medium,
                             s.alarm_at, std::move(data));
  add_attribute(
      event, "limit",
      static_cast<std::int64_t>(baseline_.threshold(double(config_.max_connections_per_ip))));
  add_attribute(event, "window_seconds", std::int64_t{config_.window.count() / 1'000'000'000});
  add_phase(event, phase, attack_id(3, source, s.alarm_at));
  s.last_report = now;
  if (phase == Phase::ended) ++floods_;
  sink_(std::move(event));
}

void ConnectionFloodDetector::expire(Timestamp now) {
  expire_alarms(
      active_, sources_, now, idle_, report_interval_, [](const Source& s) { return s.alarm; },
      [this](const IpAddress& source, Source& s, Timestamp at, bool ongoing) {
        report(source, s, at, ongoing ? Phase::update : Phase::ended);
      });
  while (sources_.oldest_key() != nullptr) {
    const Source& s = *sources_.oldest_value();
    if (s.alarm || s.last + 2 * config_.window > now) break;
    sources_.pop_oldest();
  }
}

void ConnectionFloodDetector::flush(Timestamp now) {
  for (const auto& source : active_)
    if (Source* s = sources_.find(source); s != nullptr && s->alarm) {
      report(source, *s, now, Phase::ended);
      sources_.erase(source);
    }
  active_.clear();
}

}  // namespace cw::detect
