// apps/history/event_cli.cpp — shared pieces of the events, agents and replay commands
// (apps/event_cli.h).
#include "apps/history/event_cli.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "store/event_store.h"

namespace cw::apps {
namespace {

std::string milliseconds(Duration d) {
  return fmt::format("{:+.3f} ms", static_cast<double>(d.count()) / 1e6);
}

std::string clock_details(const events::ClockData& c) {
  std::string out;
  if (c.offset.count() != 0) out += "offset " + milliseconds(c.offset) + " ";
  if (c.step.count() != 0) out += "step " + milliseconds(c.step) + " ";
  if (c.threshold.count() != 0)
    out += fmt::format("threshold {:.3f} ms ", static_cast<double>(c.threshold.count()) / 1e6);
  if (c.frequency_ppm != 0) out += fmt::format("frequency {:+.3f} ppm ", c.frequency_ppm);
  if (!c.server.empty()) out += "server " + c.server + " ";
  if (c.stratum != 0) out += fmt::format("stratum {} ", c.stratum);
  return out;
}

std::string network_details(const events::NetworkData& n) {
  std::string out = "from " + n.source.to_string() + " ";
  if (n.destination) out += "to " + n.destination->to_string() + " ";
  if (!n.ports.empty()) out += fmt::format("ports {} ", fmt::join(n.ports, ","));
  if (n.count != 0) out += fmt::format("count {} ", n.count);
  if (!n.kind.empty()) out += n.kind + " ";
  return out;
}

std::string heartbeat_details(const events::HeartbeatData& h) {
  return fmt::format(
      "uptime {:.0f} s, sent {}, dropped {}, spooled {}, cpu {:.1f}%, rss {:.1f} MiB, "
      "load {:.2f}, {} ",
      to_seconds(h.uptime), h.events_sent, h.events_dropped, h.events_spooled, h.cpu_percent,
      static_cast<double>(h.rss_bytes) / 1048576.0, h.load1,
      h.connected ? "connected" : "disconnected");
}

}  // namespace

void add_store_options(CLI::App& command, std::string& store, std::string& db) {
  command
      .add_option("--store", store,
                  "event store URL: sqlite:PATH or postgresql://[user@]host/db "
                  "(libpq keywords and PG* variables accepted); see docs/store.md")
      ->envname("CW_STORE");
  command
      .add_option("--db", db,
                  "SQLite event database, short for --store sqlite:PATH (default: "
                  "$CW_DATA_DIR/events.db, else /var/lib/chronowatch/events.db)")
      ->envname("CW_DB");
}

std::string resolved_store_url(const std::string& store, const std::string& db) {
  return store::store_url(store, db);
}

std::optional<Timestamp> parse_time_arg(std::string_view text, Timestamp now) {
  if (text == "now") return now;
  if (auto absolute = parse_iso8601(text)) return absolute;
  if (text.size() < 2) return std::nullopt;
  std::int64_t amount = 0;
  const auto unit = text.back();
  const auto number = text.substr(0, text.size() - 1);
  auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), amount);
  if (error != std::errc{} || end != number.data() + number.size() || amount < 0)
    return std::nullopt;
  std::int64_t seconds = 0;
  switch (unit) {
    case 's':
      seconds = 1;
      break;
    case 'm':
      seconds = 60;
      break;
    case 'h':
      seconds = 3600;
      break;
    case 'd':
      seconds = 86400;
      break;
    case 'w':
      seconds = 7 * 86400;
      break;
    default:
      return std::nullopt;
  }
  if (amount > INT64_MAX / 1'000'000'000 / seconds) return std::nullopt;
  return now - Duration{amount * seconds * 1'000'000'000};
}

std::string event_details(const events::Event& event) {
  std::string out;
  if (const auto* c = std::get_if<events::ClockData>(&event.data)) out = clock_details(*c);
  if (const auto* n = std::get_if<events::NetworkData>(&event.data)) out = network_details(*n);
  if (const auto* h = std::get_if<events::HeartbeatData>(&event.data)) out = heartbeat_details(*h);
  for (const auto& attribute : event.attributes)
    out += attribute.key + "=" +
           std::visit([](const auto& v) { return fmt::format("{}", v); }, attribute.value) + " ";
  if (!out.empty()) out.pop_back();
  return out;
}

std::string event_line(const events::Event& event) {
  const bool collector_made = (event.sequence & events::kCollectorSequenceBit) != 0;
  const auto sequence = collector_made ? std::string{"-"} : fmt::format("#{}", event.sequence);
  return fmt::format("{}  {:<16} {:>8}  {:<22} {:<8}  {}", to_iso8601(event.timestamp),
                     event.agent_id, sequence, to_string(event.type), to_string(event.severity),
                     event_details(event));
}

}  // namespace cw::apps
