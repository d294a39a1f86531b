// detect/net/flow/syn_flood.cpp — the per-destination CUSUM of detect/net/flow/syn_flood.h.
#include "detect/net/flow/syn_flood.h"

#include <algorithm>
#include <cmath>

namespace cw::detect {

SynFloodDetector::SynFloodDetector(const NetmonConfig& config, EventSink& sink)
    : config_(config.syn_flood),
      idle_(config.attack_idle),
      report_interval_(config.report_interval),
      baseline_(config.adaptive),
      sink_(sink),
      destinations_(config.syn_flood.max_destinations) {}

void SynFloodDetector::on_syn(const DecodedPacket& syn, Timestamp now) {
  auto found =
      destinations_.get_or_insert(syn.destination, [&](const IpAddress& evicted, Destination& d) {
        if (d.alarm) report(evicted, d, now, Phase::ended);
      });
  Destination& d = found.value;
  if (found.inserted) d.bucket_start = now;
  roll(syn.destination, d, now);
  if (d.episode_syns == 0) {
    d.first = now;
    d.first_source = syn.source;
    d.sources.clear();
    d.ports = {};
  }
  ++d.syns;
  ++d.episode_syns;
  d.last = now;
  d.sources.add(hash_address(syn.source));
  d.ports.add(syn.destination_port);
}

void SynFloodDetector::on_resolved(const IpAddress& server, Timestamp now) {
  if (Destination* d = destinations_.find(server)) {
    roll(server, *d, now);
    ++d->resolved;
  }
}

// Few sources at many ports: a port scan (port_scan reports it), not a flood.
bool SynFloodDetector::scan_shaped(const Destination& d) const {
  return d.ports.size >= kScanPorts && d.sources.estimate() <= config_.scan_sources;
}

// Closes every interval that has ended by `now` and steps the CUSUM.
void SynFloodDetector::roll(const IpAddress& server, Destination& d, Timestamp now) {
  if (now - d.bucket_start < config_.interval) return;
  const double allowance = baseline_.threshold(config_.allowance);
  const double x = double(d.syns) - double(d.resolved);
  if (!d.alarm) baseline_.observe(x);
  const auto intervals = (now - d.bucket_start) / config_.interval;  // ≥ 1
  d.cusum = std::max(0.0, d.cusum + x - allowance);
  d.peak = std::max(d.peak, d.cusum);
  if (!d.alarm && d.cusum > config_.threshold && !scan_shaped(d)) {
    d.alarm = true;
    d.alarm_at = d.last_report = later(d.first, d.bucket_start + config_.interval);
    active_.push_back(server);
    report(server, d, now, Phase::detected);
  }
  d.cusum = std::max(0.0, d.cusum - double(intervals - 1) * allowance);  // the quiet ones
  d.syns = d.resolved = 0;
  d.bucket_start += intervals * config_.interval;
  if (d.cusum == 0) {
    if (d.alarm) report(server, d, now, Phase::ended);
    d.alarm = false;
    d.episode_syns = 0;
    d.peak = 0;
  }
}

void SynFloodDetector::report(const IpAddress& server, Destination& d, Timestamp now, Phase phase) {
  events::NetworkData data;
  data.source = d.first_source;
  data.destination = server;
  d.ports.copy_to(data.ports);
  data.count = static_cast<std::uint32_t>(std::min<std::uint64_t>(d.episode_syns, UINT32_MAX));
  data.duration = d.last - d.first;
  auto event = network_event(events::EventType::syn_flood, events::Severity::high, d.alarm_at,
                             std::move(data));
  add_attribute(event, "distinct_sources", std::int64_t{d.sources.estimate()});
  add_attribute(event, "cusum_peak", static_cast<std::int64_t>(std::llround(d.peak)));
  add_phase(event, phase, attack_id(2, server, d.alarm_at));
  d.last_report = now;
  if (phase == Phase::ended) ++floods_;
  sink_(std::move(event));
}

void SynFloodDetector::expire(Timestamp now) {
  expire_alarms(
      active_, destinations_, now, idle_, report_interval_,
      [](const Destination& d) { return d.alarm; },
      [this](const IpAddress& server, Destination& d, Timestamp at, bool ongoing) {
        report(server, d, at, ongoing ? Phase::update : Phase::ended);
      });
  // Quiet destinations: close their last intervals (a short burst alarms here) and forget them.
  while (const IpAddress* oldest = destinations_.oldest_key()) {
    Destination& d = *destinations_.oldest_value();
    if (d.last + idle_ > now) break;
    const IpAddress server = *oldest;
    roll(server, d, later(now, d.bucket_start + config_.interval));
    if (d.alarm) report(server, d, now, Phase::ended);
    std::erase(active_, server);
    destinations_.pop_oldest();
  }
}

void SynFloodDetector::flush(Timestamp now) {
  destinations_.for_each([&](const IpAddress& server, Destination& d) {
    roll(server, d, later(now, d.bucket_start + config_.interval));
    if (d.alarm) report(server, d, now, Phase::ended);
    d.alarm = false;
  });
  active_.clear();
}

}  // namespace cw::detect
