// events/event.cpp — names of event types and severities, as they appear in JSON and on screen.
#include "events/event.h"

#include <array>
#include <utility>

namespace cw::events {
namespace {

constexpr std::array<std::pair<EventType, std::string_view>, 24> kTypeNames{{
    {EventType::time_drift, "time_drift"},
    {EventType::time_drift_cleared, "time_drift_cleared"},
    {EventType::clock_step, "clock_step"},
    {EventType::frequency_drift, "frequency_drift"},
    {EventType::ntp_unreachable, "ntp_unreachable"},
    {EventType::ntp_recovered, "ntp_recovered"},
    {EventType::falseticker, "falseticker"},
    {EventType::server_unsynchronized, "server_unsynchronized"},
    {EventType::kiss_of_death, "kiss_of_death"},
    {EventType::port_scan, "port_scan"},
    {EventType::address_scan, "address_scan"},
    {EventType::syn_flood, "syn_flood"},
    {EventType::connection_flood, "connection_flood"},
    {EventType::sensitive_port_access, "sensitive_port_access"},
    {EventType::modbus_anomaly, "modbus_anomaly"},
    {EventType::heartbeat, "heartbeat"},
    {EventType::agent_start, "agent_start"},
    {EventType::agent_stop, "agent_stop"},
    {EventType::agent_down, "agent_down"},
    {EventType::agent_up, "agent_up"},
    {EventType::events_suppressed, "events_suppressed"},
    {EventType::ntp_anomaly, "ntp_anomaly"},
    {EventType::time_tampering, "time_tampering"},
    {EventType::incident, "incident"},
}};

constexpr std::array<std::string_view, 5> kSeverityNames{"info", "low", "medium", "high",
                                                         "critical"};

}  // namespace

std::string_view to_string(EventType type) {
  for (const auto& [t, name] : kTypeNames)
    if (t == type && !name.empty()) return name;
  return "unknown";
}

std::string_view to_string(Severity severity) {
  const auto index = static_cast<std::size_t>(severity);
  return index < kSeverityNames.size() ? kSeverityNames[index] : "unknown";
}

std::optional<EventType> parse_event_type(std::string_view name) {
  for (const auto& [t, n] : kTypeNames)
    if (!n.empty() && n == name) return t;
  return std::nullopt;
}

std::optional<Severity> parse_severity(std::string_view name) {
  for (std::size_t i = 0; i < kSeverityNames.size(); ++i)
    if (kSeverityNames[i] == name) return static_cast<Severity>(i);
  return std::nullopt;
}

std::optional<EventType> event_type_from_wire(std::uint8_t value) {
  switch (value) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
    case 8:
    case 9:
    case 20:
    case 21:
    case 22:
    case 23:
    case 24:
    case 25:
    case 40:
    case 41:
    case 42:
    case 43:
    case 44:
    case 45:
    case 46:
    case 47:
    case 48:
      return static_cast<EventType>(value);
    default:
      return std::nullopt;
  }
}

std::optional<Severity> severity_from_wire(std::uint8_t value) {
  if (value > static_cast<std::uint8_t>(Severity::critical)) return std::nullopt;
  return static_cast<Severity>(value);
}

}  // namespace cw::events
