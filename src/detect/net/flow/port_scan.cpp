// detect/net/flow/port_scan.cpp — the Threshold Random Walk and threshold signals of
// detect/net/flow/port_scan.h.
#include "detect/net/flow/port_scan.h"

#include <algorithm>
#include <cmath>

namespace cw::detect {

PortScanDetector::PortScanDetector(const NetmonConfig& config, const PortSet& sensitive,
                                   EventSink& sink)
    : config_(config.port_scan),
      idle_(config.attack_idle),
      report_interval_(config.report_interval),
      // TRW §4: log-likelihood steps per outcome and Wald's thresholds.
      step_success_(std::log(config.port_scan.theta1 / config.port_scan.theta0)),
      step_failure_(std::log((1 - config.port_scan.theta1) / (1 - config.port_scan.theta0))),
      upper_(std::log(config.port_scan.beta / config.port_scan.alpha)),
      lower_(std::log((1 - config.port_scan.beta) / (1 - config.port_scan.alpha))),
      sensitive_(sensitive),
      sink_(sink),
      sources_(config.port_scan.max_sources) {}

bool PortScanDetector::is_scanner(const IpAddress& source) {
  const Source* s = sources_.find(source);
  return s != nullptr && s->decided != DecidedBy::none;
}

void PortScanDetector::on_outcome(const ContactKey& c, bool success, Timestamp now) {
  auto found = sources_.get_or_insert(c.source, [&](const IpAddress& evicted, Source& s) {
    if (s.decided != DecidedBy::none) report(evicted, s, now, Phase::ended);
  });
  Source& s = found.value;
  if (found.inserted) {
    s.first = s.window_start = now;
    s.first_destination = c.destination;
  }
  if (s.decided == DecidedBy::none && now - s.window_start > config_.window) {
    s.window_start = now;  // the seed's threshold counts within a window
    s.window_ports.clear();
    s.window_failed_hosts.clear();
  }
  s.last = later(s.last, now);
  ++s.probes;
  (success ? s.successes : s.failures) += 1;
  s.ports.add(c.port);
  if (sensitive_.contains(c.port)) s.sensitive_ports.add(c.port);
  if (c.destination != s.first_destination) s.many_destinations = true;
  const auto host_hash = hash_address(c.destination);
  s.ports_seen.add(c.port);
  s.hosts_seen.add(host_hash);
  s.window_ports.add(c.port);
  if (!success) s.window_failed_hosts.add(host_hash);
  if (s.decided == DecidedBy::none) {
    walk(s, success, now);
    if (s.decided != DecidedBy::none) {
      active_.push_back(c.source);
      report(c.source, s, now, Phase::detected);  // reported when decided, not when over
    }
  }
}

void PortScanDetector::walk(Source& s, bool success, Timestamp now) {
  s.log_ratio += success ? step_success_ : step_failure_;
  DecidedBy decided = DecidedBy::none;
  if (s.log_ratio >= upper_) {
    decided = DecidedBy::trw;
  } else if (s.window_ports.estimate() >= config_.threshold ||
             s.window_failed_hosts.estimate() >= config_.threshold) {
    decided = DecidedBy::threshold;
  } else if (s.log_ratio <= lower_) {
    s.log_ratio = 0;  // benign for now: the walk starts again (TRW §4, "restart")
    ++s.walk_restarts;
  }
  if (decided == DecidedBy::none) return;
  s.decided = decided;
  s.decided_at = s.last_report = now;
  s.probes_to_decide = s.probes;
}

void PortScanDetector::report(const IpAddress& source, Source& s, Timestamp now, Phase phase) {
  const bool horizontal = s.hosts_seen.estimate() > s.ports_seen.estimate();
  events::NetworkData data;
  data.source = source;
  if (!s.many_destinations) data.destination = s.first_destination;
  s.ports.copy_to(data.ports);
  data.count = s.probes;
  data.duration = s.last - s.first;
  const auto severity =
      s.sensitive_ports.size > 0 ? events::Severity::high : events::Severity::medium;
  auto event =
      network_event(horizontal ? events::EventType::address_scan : events::EventType::port_scan,
                    severity, s.decided_at, std::move(data));
  add_attribute(event, "probes_to_decide", std::int64_t{s.probes_to_decide});
  add_attribute(event, "failures", std::int64_t{s.failures});
  add_attribute(event, "successes", std::int64_t{s.successes});
  add_attribute(event, "distinct_ports", std::int64_t{s.ports_seen.estimate()});
  add_attribute(event, "distinct_hosts", std::int64_t{s.hosts_seen.estimate()});
  add_attribute(event, "decided_by",
                std::string(s.decided == DecidedBy::trw ? "trw" : "threshold"));
  if (s.sensitive_ports.size > 0) {
    std::string list;
    for (std::uint8_t i = 0; i < s.sensitive_ports.size; ++i) {
      if (i > 0) list += ',';
      list += std::to_string(s.sensitive_ports.values[i]);
    }
    add_attribute(event, "sensitive_ports", std::move(list));
  }
  add_phase(event, phase, attack_id(1, source, s.decided_at));
  if (phase == Phase::ended) (horizontal ? address_scans_ : port_scans_) += 1;
  ++s.reports;
  s.last_report = now;
  sink_(std::move(event));
}

void PortScanDetector::expire(Timestamp now) {
  expire_alarms(
      active_, sources_, now, idle_, report_interval_,
      [](const Source& s) { return s.decided != DecidedBy::none; },
      [this](const IpAddress& source, Source& s, Timestamp at, bool ongoing) {
        report(source, s, at, ongoing ? Phase::update : Phase::ended);
      });
  // Undecided sources are forgotten once their window has passed without news.
  while (sources_.oldest_key() != nullptr) {
    const Source& s = *sources_.oldest_value();
    if (s.decided != DecidedBy::none || s.last + config_.window > now) break;
    sources_.pop_oldest();
  }
}

void PortScanDetector::flush(Timestamp now) {
  for (const auto& source : active_)
    if (Source* s = sources_.find(source); s != nullptr && s->decided != DecidedBy::none) {
      report(source, *s, now, Phase::ended);
      sources_.erase(source);
    }
  active_.clear();
}

}  // namespace cw::detect
