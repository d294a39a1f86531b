// tests/unit/events/sample_events.h — realistic events of every data kind, shared by the codec
// tests (and the store tests), with literal values.
#pragma once

#include <vector>

#include "events/event.h"

namespace cw::events::testing {

using namespace std::chrono_literals;

inline Timestamp at(std::int64_t unix_seconds, std::int64_t ns = 0) {
  return from_unix_ns(unix_seconds * 1'000'000'000 + ns);
}

inline Event drift_event(std::uint64_t sequence, Timestamp when) {
  Event e{when, "agent-01", sequence, EventType::time_drift, Severity::high, {}, {}};
  e.data = ClockData{.server = "192.168.1.10:123",
                     .offset = 150'123'457ns,
                     .delay = 20'512'003ns,
                     .error_bound = 10'256'001ns,
                     .threshold = 100ms,
                     .step = 0ns,
                     .stratum = 2,
                     .frequency_ppm = 0};
  return e;
}

inline Event heartbeat_event(std::uint64_t sequence, Timestamp when) {
  Event e{when, "agent-01", sequence, EventType::heartbeat, Severity::info, {}, {}};
  e.data = HeartbeatData{.uptime = 86'400s + 123'456'789ns,
                         .events_sent = 12'345,
                         .events_dropped = 3,
                         .events_spooled = 17,
                         .cpu_percent = 1.25,
                         .rss_bytes = 48'123'456,
                         .load1 = 0.42,
                         .connected = true};
  return e;
}

inline Event scan_event(std::uint64_t sequence, Timestamp when) {
  Event e{when, "agent-01", sequence, EventType::port_scan, Severity::medium, {}, {}};
  e.data = NetworkData{.source = *IpAddress::parse("10.0.1.100"),
                       .destination = IpAddress::parse("2001:db8::5"),
                       .ports = {22, 23, 502, 3389},
                       .count = 15,
                       .duration = 2'500ms,
                       .kind = ""};
  e.attributes = {
      {"interface", std::string{"eth0"}}, {"score", 0.97}, {"window_s", std::int64_t{-5}}};
  return e;
}

// The collector's correlation: a fleet time incident naming the common server and its members.
inline Event incident_event(std::uint64_t sequence, Timestamp when) {
  Event e{when, "collector", sequence, EventType::incident, Severity::high, {}, {}};
  e.data = ClockData{.server = "10.0.0.1:123", .offset = -600'000'000'000ns};
  e.attributes = {{"incident", std::string{"fleet_time"}},
                  {"agents", std::string{"sim-0001,sim-0002,sim-0003"}},
                  {"members", std::string{"sim-0001:7,sim-0002:9,sim-0003:4"}},
                  {"agent_count", std::int64_t{3}}};
  return e;
}

inline std::vector<Event> mixed_events() {
  std::vector<Event> events{
      drift_event(41, at(1'764'435'901, 442'511'999)), heartbeat_event(42, at(1'764'435'930)),
      scan_event(44, at(1'764'435'900, 1)),  // earlier than the base
      Event{at(1'764'435'931), "agent-01", 45, EventType::agent_stop, Severity::low, {}, {}}};
  Event modbus = scan_event(46, at(1'764'435'999));
  modbus.type = EventType::modbus_anomaly;
  modbus.severity = Severity::critical;
  std::get<NetworkData>(modbus.data).kind = "write_unauthorized";
  std::get<NetworkData>(modbus.data).destination.reset();
  events.push_back(modbus);
  Event ntp = scan_event(47, at(1'764'436'000));  // the types appended by issue 14
  ntp.type = EventType::ntp_anomaly;
  ntp.severity = Severity::high;
  std::get<NetworkData>(ntp.data).kind = "mode7_request";
  ntp.attributes = {{"mode", std::int64_t{7}}, {"request_code", std::int64_t{42}}};
  events.push_back(ntp);
  events.push_back(
      Event{at(1'764'436'001),
            "agent-01",
            48,
            EventType::time_tampering,
            Severity::high,
            {},
            {{"kind", std::string{"faketime_preload"}},
             {"pid", std::int64_t{4242}},
             {"command", std::string{"sleep"}},
             {"evidence", std::string{"/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"}}}});
  Event incident = incident_event(49, at(1'764'436'000));
  incident.agent_id = "agent-01";  // a batch is one agent's
  events.push_back(incident);
  return events;
}

}  // namespace cw::events::testing
