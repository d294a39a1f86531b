// alerts/labels.cpp — labels of an event and glob matching.
#include "alerts/labels.h"

#include <array>

namespace cw::alerts {
namespace {

constexpr std::array<std::string_view, 10> kLabelNames{"type",     "severity",    "agent", "kind",
                                                       "source",   "destination", "port",  "server",
                                                       "incident", "phase"};

bool is_attack(events::EventType type) {
  using enum events::EventType;
  return type == port_scan || type == address_scan || type == syn_flood || type == connection_flood;
}

void add_network(Labels& labels, const events::NetworkData& data) {
  if (data.source != IpAddress{}) labels["source"] = data.source.to_string();
  if (data.destination) labels["destination"] = data.destination->to_string();
  if (!data.ports.empty()) labels["port"] = std::to_string(data.ports.front());
  if (!data.kind.empty()) labels["kind"] = data.kind;
}

}  // namespace

bool is_known_label(std::string_view name) {
  for (auto known : kLabelNames)
    if (known == name) return true;
  return false;
}

Labels labels_of(const events::Event& event) {
  Labels labels{{"type", std::string(events::to_string(event.type))},
                {"severity", std::string(events::to_string(event.severity))},
                {"agent", event.agent_id}};
  if (const auto* clock = std::get_if<events::ClockData>(&event.data)) {
    if (!clock->server.empty()) labels["server"] = clock->server;
  } else if (const auto* network = std::get_if<events::NetworkData>(&event.data)) {
    add_network(labels, *network);
  }
  if (auto kind = text_attribute(event, "kind"); !kind.empty() && !labels.contains("kind"))
    labels["kind"] = kind;
  if (event.type == events::EventType::incident) {
    labels["incident"] = text_attribute(event, "incident");
    const auto phase = text_attribute(event, "phase");
    labels["phase"] = phase.empty() ? "open" : phase;
  } else if (is_attack(event.type)) {
    labels["phase"] = has_attribute(event, "ongoing") ? "ongoing" : "ended";
  }
  return labels;
}

// Iterative glob with one backtrack point (the last `*`): linear in practice, never recursive.
bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string event_id(const events::Event& event) {
  return event.agent_id + ":" + std::to_string(event.sequence);
}

std::string text_attribute(const events::Event& event, std::string_view key) {
  for (const auto& attribute : event.attributes)
    if (attribute.key == key)
      if (const auto* text = std::get_if<std::string>(&attribute.value)) return *text;
  return {};
}

bool has_attribute(const events::Event& event, std::string_view key) {
  for (const auto& attribute : event.attributes)
    if (attribute.key == key) return true;
  return false;
}

}  // namespace cw::alerts
