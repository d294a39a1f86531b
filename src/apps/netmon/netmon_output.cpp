// apps/netmon/netmon_output.cpp — JSON lines and text for apps/netmon/netmon_output.h.
#include "apps/netmon/netmon_output.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "events/json_codec.h"

namespace cw::apps {
namespace {

nlohmann::json attribute_value(const events::AttributeValue& value) {
  return std::visit([](const auto& v) { return nlohmann::json(v); }, value);
}

}  // namespace

// The one JSON form of an event, as `events --json` and `replay --json` print it and `events
// --import` reads it (events/json_codec.h, docs/wire-format.md §7).
std::string event_json_line(const events::Event& event) { return events::encode_json(event); }

std::string event_text_line(const events::Event& event) {
  std::string line = fmt::format("{} {:<8} {:<22}", to_iso8601(event.timestamp),
                                 events::to_string(event.severity), events::to_string(event.type));
  if (const auto* net = std::get_if<events::NetworkData>(&event.data)) {
    line += fmt::format(" {} -> {}", net->source.to_string(),
                        net->destination ? net->destination->to_string() : std::string("(many)"));
    if (!net->kind.empty()) line += " kind=" + net->kind;
    if (!net->ports.empty()) line += fmt::format(" ports={}", fmt::join(net->ports, ","));
    line += fmt::format(" count={} duration={:.3f}s", net->count, to_seconds(net->duration));
  }
  for (const auto& attribute : event.attributes)
    line += " " + attribute.key + "=" +
            attribute_value(attribute.value)
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return line;
}

static nlohmann::json detector_counts(const detect::NetmonStats& s) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& counter : s.detectors.events) j[std::string(counter.name)] = counter.value;
  return j;
}

std::string summary_json_line(const detect::NetmonStats& s, const RunFacts& f) {
  const double capture_seconds = to_seconds(s.last_packet - s.first_packet);
  nlohmann::json j{
      {"type", "summary"},
      {"source", f.source},
      {"packets", s.packets},
      {"bytes", s.bytes},
      {"decoded", s.decoded},
      {"not_ip", s.not_ip},
      {"truncated", s.truncated},
      {"malformed", s.malformed},
      {"later_fragments", s.later_fragments},
      {"time_went_backwards", s.time_went_backwards},
      {"events", s.events()},
      {"detectors", detector_counts(s)},
      {"probes", s.detectors.value("probes")},
      {"handshakes", s.detectors.value("handshakes")},
      {"modbus_resyncs", s.detectors.value("modbus_resyncs")},
      {"table_evictions", s.detectors.table_evictions},
      {"capture_seconds", capture_seconds},
      {"elapsed_seconds", f.elapsed_seconds},
      {"packets_per_second", f.elapsed_seconds > 0 ? double(s.packets) / f.elapsed_seconds : 0.0},
      {"max_rss_bytes", f.max_rss_bytes},
  };
  if (s.packets > 0) {
    j["first_packet"] = to_iso8601(s.first_packet);
    j["last_packet"] = to_iso8601(s.last_packet);
  }
  if (f.capture.received > 0 || f.capture.dropped > 0)
    j["kernel"] = {{"received", f.capture.received},
                   {"dropped", f.capture.dropped},
                   {"interface_dropped", f.capture.if_dropped}};
  return j.dump();
}

std::string summary_text(const detect::NetmonStats& s, const RunFacts& f) {
  auto counts = detector_counts(s);
  std::string per_detector;
  for (const auto& [name, value] : counts.items())
    per_detector += fmt::format(" {}={}", name, value.get<std::uint64_t>());
  return fmt::format(
      "summary: {} packets from {} ({} decoded, {} not IP, {} truncated, {} malformed) over "
      "{:.3f}s of "
      "capture in {:.3f}s\n"
      "events: {} —{}\n",
      s.packets, f.source, s.decoded, s.not_ip, s.truncated, s.malformed,
      to_seconds(s.last_packet - s.first_packet), f.elapsed_seconds, s.events(), per_detector);
}

}  // namespace cw::apps
