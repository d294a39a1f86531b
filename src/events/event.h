// events/event.h — the event schema of seed 002, shared by every producer (clock monitor, network
// detectors, heartbeats) and consumer (codecs, transport, store, dashboard). Pure data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/ip_address.h"
#include "core/time.h"

namespace cw::events {

// Wire values are stable: append new types at the end, never renumber.
enum class EventType : std::uint8_t {
  // clock (the drift agent, seed 000)
  time_drift = 1,
  time_drift_cleared = 2,
  clock_step = 3,
  frequency_drift = 4,
  ntp_unreachable = 5,
  ntp_recovered = 6,
  falseticker = 7,
  server_unsynchronized = 8,
  kiss_of_death = 9,
  // network (seed 002)
  port_scan = 20,
  address_scan = 21,
  syn_flood = 22,
  connection_flood = 23,
  sensitive_port_access = 24,
  modbus_anomaly = 25,
  // agent lifecycle and health
  heartbeat = 40,
  agent_start = 41,
  agent_stop = 42,
  agent_down = 43,
  agent_up = 44,
  events_suppressed = 45,  // rate limiting's counted summary of what it held back
  // appended (issue 14)
  ntp_anomaly = 46,     // NTP on the wire: NetworkData with a `kind` (mode7_request, ...)
  time_tampering = 47,  // a process with faked time on the host: attributes kind, pid, ...
  // the collector's correlation (alerts/): one event standing for many (a fleet clock problem, a
  // scan campaign); its attributes name the kind, the agents and the member events
  incident = 48,
};

enum class Severity : std::uint8_t { info = 0, low = 1, medium = 2, high = 3, critical = 4 };

std::string_view to_string(EventType type);     // "time_drift", ...
std::string_view to_string(Severity severity);  // "info", ...
std::optional<EventType> parse_event_type(std::string_view name);
std::optional<Severity> parse_severity(std::string_view name);
// The wire value checks of every decoder: is this byte a type/severity this build knows?
std::optional<EventType> event_type_from_wire(std::uint8_t value);
std::optional<Severity> severity_from_wire(std::uint8_t value);

// Who sent it: sent once per connection on the wire, not with every event.
struct NodeInfo {
  std::string hostname;
  std::vector<IpAddress> addresses;
  bool operator==(const NodeInfo&) const = default;
};

struct AgentIdentity {
  std::string agent_id;
  NodeInfo node;
  std::string version;
  bool operator==(const AgentIdentity&) const = default;
};

// Data of the clock events. Durations are integer nanoseconds; absent values are zero.
struct ClockData {
  std::string server;      // "host:port" of the NTP server involved, if one
  Duration offset{};       // server minus local clock (RFC 5905 θ: positive = local is behind)
  Duration delay{};        // round-trip delay of the sample
  Duration error_bound{};  // root distance: the most the offset can be wrong by
  Duration threshold{};    // the configured limit that was crossed
  Duration step{};         // clock_step: how far the wall clock jumped
  std::int32_t stratum = 0;
  double frequency_ppm = 0;  // frequency_drift: estimated frequency error
  bool operator==(const ClockData&) const = default;
};

// Data of the network events.
struct NetworkData {
  IpAddress source;
  std::optional<IpAddress> destination;
  std::vector<std::uint16_t> ports;  // the first ports involved (bounded by the detector)
  std::uint32_t count = 0;           // probes, connections, packets: what the detector counts
  Duration duration{};               // from the first to the last packet of the attack
  std::string kind;  // modbus_anomaly, ntp_anomaly: write_unauthorized, mode7_request, ...
  bool operator==(const NetworkData&) const = default;
};

// Data of heartbeats (read from /proc by the agent).
struct HeartbeatData {
  Duration uptime{};
  std::uint64_t events_sent = 0;
  std::uint64_t events_dropped = 0;
  std::uint64_t events_spooled = 0;
  double cpu_percent = 0;
  std::uint64_t rss_bytes = 0;
  double load1 = 0;
  bool connected = false;
  bool operator==(const HeartbeatData&) const = default;
};

using EventData = std::variant<std::monostate, ClockData, NetworkData, HeartbeatData>;

// Free key/values beyond the typed data.
using AttributeValue = std::variant<std::int64_t, double, std::string>;
struct Attribute {
  std::string key;
  AttributeValue value;
  bool operator==(const Attribute&) const = default;
};

// Events the collector makes about an agent (agent_down, agent_up) carry the agent's id and a
// sequence with this bit set, so they never collide with the agent's own sequences.
inline constexpr std::uint64_t kCollectorSequenceBit = std::uint64_t{1} << 63;

struct Event {
  Timestamp timestamp;  // when it was observed, UTC ns
  std::string agent_id;
  std::uint64_t sequence = 0;  // per agent, strictly increasing, survives restarts
  EventType type = EventType::heartbeat;
  Severity severity = Severity::info;
  EventData data;
  std::vector<Attribute> attributes;
  bool operator==(const Event&) const = default;
};

}  // namespace cw::events
