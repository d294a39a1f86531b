// tests/unit/alerts/alert_events.h — literal events for the alerting tests: drift, clearing,
// scans and heartbeats from named agents, at literal times.
#pragma once

#include "alerts/alerting.h"

namespace cw::alerts::testing {

using namespace std::chrono_literals;
using events::Event;
using events::EventType;
using events::Severity;

inline Timestamp t0() { return from_unix_ns(1'764'435'900'000'000'000); }

inline Event drift(std::string agent, std::uint64_t seq, Duration offset = 600s,
                   std::string server = "10.0.0.1:123") {
  Event e{t0(), std::move(agent), seq, EventType::time_drift, Severity::high, {}, {}};
  events::ClockData clock;
  clock.server = std::move(server);
  clock.offset = offset;
  e.data = clock;
  return e;
}

inline Event cleared(std::string agent, std::uint64_t seq, std::string server = "10.0.0.1:123") {
  auto e = drift(std::move(agent), seq, 1ms, std::move(server));
  e.type = EventType::time_drift_cleared;
  e.severity = Severity::info;
  return e;
}

inline Event heartbeat(std::string agent, std::uint64_t seq) {
  return Event{t0(), std::move(agent), seq, EventType::heartbeat, Severity::info, {}, {}};
}

inline Event scan(std::string agent, std::uint64_t seq, std::string source, bool ongoing,
                  EventType type = EventType::port_scan, std::string destination = "10.9.0.2") {
  Event e{t0(), std::move(agent), seq, type, Severity::medium, {}, {}};
  events::NetworkData network;
  network.source = *IpAddress::parse(source);
  network.destination = IpAddress::parse(destination);
  network.ports = {22, 80};
  network.count = 40;
  e.data = network;
  if (ongoing) e.attributes.push_back({"ongoing", std::int64_t{1}});
  return e;
}

}  // namespace cw::alerts::testing
