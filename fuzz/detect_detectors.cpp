// Fuzz target: arbitrary packet sequences through every network detector (scan, floods,
// sensitive ports, Modbus) with small tables, time stepping back and forth: no crash, no
// unbounded growth, and every event is a network event. Input: records of
// [link selector][delta ms, signed][length][frame bytes].
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "detect/network_detectors.h"

namespace {

cw::detect::NetmonConfig small_config() {
  cw::detect::NetmonConfig c;
  c.port_scan.max_sources = 8;
  c.port_scan.max_contacts = 16;
  c.port_scan.max_probes = 16;
  c.syn_flood.max_destinations = 4;
  c.syn_flood.threshold = 3;
  c.syn_flood.allowance = 1;
  c.connection_flood.max_sources = 4;
  c.connection_flood.max_connections_per_ip = 2;
  c.sensitive.max_entries = 4;
  c.modbus.max_pairs = 4;
  c.modbus.max_transactions = 8;
  c.modbus.authorized_masters.push_back(*cw::IpPrefix::parse("10.0.0.20"));
  c.adaptive.enabled = true;
  c.adaptive.min_samples = 2;
  c.port_scan.threshold = 3;
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto config = small_config();
  std::size_t events = 0;
  cw::detect::NetworkDetectors detectors(config, [&](cw::events::Event&& e) {
    if (!std::holds_alternative<cw::events::NetworkData>(e.data)) std::abort();
    ++events;
  });
  std::int64_t now_ms = 1'700'000'000'000;
  std::size_t at = 0;
  while (at + 4 <= size) {
    const auto link = (data[at] & 1) ? cw::LinkType::raw : cw::LinkType::ethernet;
    now_ms += static_cast<std::int8_t>(data[at + 1]) * 37;
    const std::size_t length = std::size_t{data[at + 2]} << 8 | data[at + 3];
    at += 4;
    const std::size_t take = length < size - at ? length : size - at;
    detectors.on_frame(link, std::as_bytes(std::span{data + at, take}),
                       cw::from_unix_ns(now_ms * 1'000'000));
    at += take;
  }
  detectors.flush();
  const auto stats = detectors.stats();
  if (stats.events() != events) std::abort();
  return 0;
}
