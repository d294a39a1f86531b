// alerts/summary.cpp — one-line summaries by data kind.
#include "alerts/summary.h"

#include <fmt/format.h>

namespace cw::alerts {
namespace {

std::string clock_part(const events::ClockData& clock) {
  std::string out;
  if (clock.offset.count() != 0) out += fmt::format(": offset {:+.3f} s", to_seconds(clock.offset));
  if (clock.step.count() != 0) out += fmt::format(": step {:+.3f} s", to_seconds(clock.step));
  if (!clock.server.empty()) out += fmt::format(" against {}", clock.server);
  return out;
}

std::string network_part(const events::NetworkData& network) {
  std::string out = fmt::format(" from {}", network.source.to_string());
  if (network.destination) out += fmt::format(" to {}", network.destination->to_string());
  if (!network.ports.empty()) out += fmt::format(" port {}", network.ports.front());
  if (!network.kind.empty()) out += fmt::format(" ({})", network.kind);
  return out;
}

}  // namespace

std::string summarize(const Rule& rule, const events::Event& event, std::uint64_t count) {
  std::string out = fmt::format("{} on {}", events::to_string(event.type), event.agent_id);
  if (event.type == events::EventType::incident) {
    out = fmt::format("incident {}", text_attribute(event, "incident"));
    if (auto agents = text_attribute(event, "agents"); !agents.empty())
      out += fmt::format(" on {}", agents);
  }
  if (const auto* clock = std::get_if<events::ClockData>(&event.data)) out += clock_part(*clock);
  if (const auto* network = std::get_if<events::NetworkData>(&event.data))
    out += network_part(*network);
  if (count > 1) out += fmt::format(" ({} events)", count);
  (void)rule;
  return out;
}

}  // namespace cw::alerts
