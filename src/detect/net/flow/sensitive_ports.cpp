// detect/net/flow/sensitive_ports.cpp — allow-listing and de-duplication of
// detect/net/flow/sensitive_ports.h.
#include "detect/net/flow/sensitive_ports.h"

#include <algorithm>

namespace cw::detect {

std::string_view service_name(std::uint16_t port) {
  switch (port) {
    case 22:
      return "ssh";
    case 23:
      return "telnet";
    case 102:
      return "s7comm";
    case 502:
      return "modbus";
    case 2404:
      return "iec-104";
    case 3389:
      return "rdp";
    case 4840:
      return "opc-ua";
    case 5900:
      return "vnc";
    case 20000:
      return "dnp3";
    case 44818:
      return "ethernet-ip";
    case 47808:
      return "bacnet";
    default:
      return "";
  }
}

SensitivePortDetector::SensitivePortDetector(const NetmonConfig& config, EventSink& sink)
    : config_(config.sensitive),
      modbus_masters_(config.modbus.authorized_masters),
      modbus_ports_(config.modbus.ports),
      scada_(config.sensitive.scada_ports),
      suspicious_(config.sensitive.suspicious_ports),
      all_(config.sensitive.suspicious_ports),
      sink_(sink),
      seen_(config.sensitive.max_entries) {
  scada_.add(config.sensitive.extra_scada_ports);
  all_.add(config.sensitive.scada_ports);
  all_.add(config.sensitive.extra_scada_ports);
}

bool SensitivePortDetector::allowed(const IpAddress& source, const IpAddress& destination,
                                    std::uint16_t port) const {
  if (modbus_ports_.contains(port) &&
      std::any_of(modbus_masters_.begin(), modbus_masters_.end(),
                  [&](const IpPrefix& m) { return m.contains(source); }))
    return true;
  return std::any_of(config_.allowlist.begin(), config_.allowlist.end(),
                     [&](const AllowRule& r) { return r.matches(source, destination, port); });
}

void SensitivePortDetector::on_access(const IpAddress& source, const IpAddress& destination,
                                      std::uint16_t port, Transport transport, bool suppressed,
                                      Timestamp now) {
  if (!all_.contains(port) || suppressed || allowed(source, destination, port)) return;
  auto found = seen_.get_or_insert(ContactKey{source, destination, port, transport});
  if (!found.inserted && found.value + config_.dedupe_window > now) return;
  found.value = now;
  const bool scada = scada_.contains(port);
  events::NetworkData data;
  data.source = source;
  data.destination = destination;
  data.ports = {port};
  data.count = 1;
  auto event = network_event(events::EventType::sensitive_port_access,
                             scada ? events::Severity::high : events::Severity::medium, now,
                             std::move(data));
  add_attribute(event, "category",
                std::string(scada ? (suspicious_.contains(port) ? "scada,suspicious" : "scada")
                                  : "suspicious"));
  if (auto name = service_name(port); !name.empty())
    add_attribute(event, "service", std::string(name));
  add_attribute(event, "transport", std::string(transport == Transport::udp ? "udp" : "tcp"));
  ++accesses_;
  sink_(std::move(event));
}

}  // namespace cw::detect
