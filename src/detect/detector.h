// detect/detector.h — the one interface every network detector family implements (Zeek's
// analyzer components are the anchor): it is handed each decoded packet with the packet time so
// far, told when time passes (expire) and when the capture ends (flush), and says what it counted.
// The list in detect/network_detectors.h builds the families from the config and drives them.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "detect/packet.h"

namespace cw::detect {

struct Counter {
  std::string_view name;
  std::uint64_t value = 0;
};

// What the detectors counted, gathered from every family.
struct DetectorCounters {
  std::vector<Counter> events;  // events reported, by event type name ("port_scan", ...)
  std::vector<Counter> extra;   // family-specific tallies ("probes", "handshakes", ...)
  std::uint64_t table_evictions = 0;
  std::uint64_t value(std::string_view name) const;  // from events or extra; 0 when absent
  std::uint64_t total_events() const;
};

class NetDetector {
 public:
  virtual ~NetDetector() = default;
  // A decoded packet that carries its transport header; `now` is the latest packet time so far.
  virtual void on_packet(const DecodedPacket& packet, Timestamp now) = 0;
  // Time passed (called every quarter second of packet time, and on a quiet live link).
  virtual void expire(Timestamp now) = 0;
  // The capture ended: report what is still open.
  virtual void flush(Timestamp now) = 0;
  virtual void counters(DetectorCounters& out) const = 0;
};

}  // namespace cw::detect
