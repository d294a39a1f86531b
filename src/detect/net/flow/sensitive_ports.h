// detect/net/flow/sensitive_ports.h — first access from a source to a sensitive or SCADA port of a
// destination (seed 002's suspicious_ports and scada_ports, plus DNP3 20000, S7 102, OPC UA 4840
// and BACnet 47808): a TCP connection the server accepted, or a UDP datagram to the port. Sources
// in the allow-list (and Modbus authorized masters on Modbus ports) are not reported; one event
// per (source, destination, port) per dedupe window.
#pragma once

#include <string_view>

#include "detect/net/flow/flow_tracker.h"
#include "detect/net/net_support.h"
#include "detect/port_set.h"

namespace cw::detect {

std::string_view service_name(std::uint16_t port);  // "ssh", "modbus", ... or ""

class SensitivePortDetector {
 public:
  SensitivePortDetector(const NetmonConfig& config, EventSink& sink);

  const PortSet& ports() const { return all_; }
  // An access by `source` to destination:port; `port` need not be sensitive (checked here).
  // `suppressed` is true when the source is already reported as a scanner.
  void on_access(const IpAddress& source, const IpAddress& destination, std::uint16_t port,
                 Transport transport, bool suppressed, Timestamp now);

  std::uint64_t accesses() const { return accesses_; }
  std::uint64_t evictions() const { return seen_.evictions(); }

 private:
  bool allowed(const IpAddress& source, const IpAddress& destination, std::uint16_t port) const;

  SensitivePortsConfig config_;
  std::vector<IpPrefix> modbus_masters_;
  PortSet modbus_ports_, scada_, suspicious_, all_;
  EventSink& sink_;
  LruTable<ContactKey, Timestamp, ContactKeyHash> seen_;  // → when it was last reported
  std::uint64_t accesses_ = 0;
};

}  // namespace cw::detect
