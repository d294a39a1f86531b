// alerts/correlation.cpp — fleet time incidents and attack campaigns.
#include "alerts/correlation.h"

#include <fmt/format.h>

#include <algorithm>

namespace cw::alerts {
namespace {

using events::EventType;
constexpr std::size_t kMaxMembers = 256;

std::string join(const auto& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + std::string(item);
  return out;
}

bool is_attack(EventType type) {
  return type == EventType::port_scan || type == EventType::address_scan ||
         type == EventType::syn_flood || type == EventType::connection_flood;
}

events::Event incident(const CorrelationConfig& config, std::string kind, Timestamp now) {
  events::Event event;
  event.timestamp = now;
  event.agent_id = config.collector_id;
  event.type = EventType::incident;
  event.severity = events::Severity::high;
  event.attributes.push_back({"incident", std::move(kind)});
  return event;
}

std::string fleet_key(const std::string& server, int direction) {
  return fmt::format("{}/{}", server, direction);
}

void add_text(events::Event& event, std::string key, std::string value) {
  event.attributes.push_back({std::move(key), std::move(value)});
}

}  // namespace

std::vector<events::Event> Correlator::observe(const events::Event& event, Timestamp now) {
  std::vector<events::Event> out;
  if (!config_.enabled || event.type == EventType::incident) return out;
  if (event.type == EventType::agent_down) {
    set_up(event.agent_id, false);
  } else if (!(event.sequence & events::kCollectorSequenceBit) ||
             event.type == EventType::agent_up) {
    set_up(event.agent_id, true);
  }
  if (std::holds_alternative<events::ClockData>(event.data)) observe_clock(event, now, out);
  // The type and the data travel separately: an agent may send an attack type without its
  // network data (or a clock type without clock data). Such an event takes no part here.
  if (is_attack(event.type) && std::holds_alternative<events::NetworkData>(event.data))
    observe_attack(event, now, out);
  return out;
}

void Correlator::restore(CorrelationWindows windows) {
  w_ = std::move(windows);
  agents_up_ = static_cast<std::size_t>(
      std::count_if(w_.up.begin(), w_.up.end(), [](const auto& entry) { return entry.second; }));
}

void Correlator::set_up(const std::string& agent, bool up) {
  const auto [it, added] = w_.up.try_emplace(agent, up);
  if (added) {
    agents_up_ += up ? 1 : 0;
  } else if (it->second != up) {
    it->second = up;
    agents_up_ += up ? 1 : std::size_t(-1);  // -1 in unsigned arithmetic: one fewer
  }
}

// Removes the agent's open drift and its place in the per-key index.
void Correlator::forget_drift(const std::string& agent) {
  const auto found = w_.drifting.find(agent);
  if (found == w_.drifting.end()) return;
  const auto key = fleet_key(found->second.server, found->second.direction);
  if (auto index = w_.drifting_by_key.find(key); index != w_.drifting_by_key.end()) {
    index->second.erase(agent);
    if (index->second.empty()) w_.drifting_by_key.erase(index);
  }
  w_.drifting.erase(found);
}

// The agents that drifted this way through this server within the window; older entries are
// dropped from the index as they are met (their drift stays open in w_.drifting).
std::size_t Correlator::drifting_within_window(const std::string& key, Timestamp now) {
  const auto index = w_.drifting_by_key.find(key);
  if (index == w_.drifting_by_key.end()) return 0;
  std::erase_if(index->second,
                [&](const auto& entry) { return now - entry.second > config_.fleet_window; });
  return index->second.size();
}

void Correlator::observe_clock(const events::Event& event, Timestamp now,
                               std::vector<events::Event>& out) {
  const auto& clock = std::get<events::ClockData>(event.data);
  if (!clock.server.empty()) w_.users[clock.server].insert(event.agent_id);
  if (event.type == EventType::time_drift_cleared) {
    const auto found = w_.drifting.find(event.agent_id);
    if (found == w_.drifting.end()) return;
    const auto key = fleet_key(found->second.server, found->second.direction);
    forget_drift(event.agent_id);
    if (auto open = w_.fleet.find(key); open != w_.fleet.end()) {
      open->second.agents.erase(event.agent_id);
      if (open->second.agents.empty()) end_fleet(key, now, out);
    }
    return;
  }
  if (event.type != EventType::time_drift || clock.offset.count() == 0) return;
  const int direction = clock.offset.count() > 0 ? 1 : -1;
  forget_drift(event.agent_id);  // it may have drifted another way, or through another server
  w_.drifting[event.agent_id] = {clock.server, direction, now, event_id(event)};
  w_.drifting_by_key[fleet_key(clock.server, direction)][event.agent_id] = now;
  check_fleet(event.agent_id, clock.server, direction, now, out);
}

// Called after the agent's drift was recorded. An open incident takes the agent in (the others in
// the window joined it when it opened, or when they reported); otherwise the agents drifting this
// way within the window are counted (a short walk: fewer than it takes to open an incident, and
// the index holds only this server and direction).
void Correlator::check_fleet(const std::string& agent, const std::string& server, int direction,
                             Timestamp now, std::vector<events::Event>& out) {
  const auto key = fleet_key(server, direction);
  if (auto open = w_.fleet.find(key); open != w_.fleet.end()) {
    open->second.agents.insert(agent);
    return;
  }
  const auto count = drifting_within_window(key, now);
  const auto up = std::max<std::size_t>(agents_up_, 1);
  const bool many =
      count >= config_.fleet_min_agents ||
      (count >= config_.fleet_fraction_floor &&
       static_cast<double>(count) >= config_.fleet_fraction * static_cast<double>(up));
  const auto users = w_.users.find(server);
  const bool all_users = !server.empty() && count >= config_.fleet_fraction_floor &&
                         users != w_.users.end() && count == users->second.size() && count < up;
  if (!many && !all_users) return;
  std::vector<const std::pair<const std::string, Drift>*> same;
  for (const auto& [name, at] : w_.drifting_by_key[key]) same.push_back(&*w_.drifting.find(name));
  FleetIncident fleet;
  std::vector<std::string> agents;
  for (const auto* entry : same) {
    fleet.agents.insert(entry->first);
    agents.push_back(entry->first);
    if (fleet.members.size() < kMaxMembers) fleet.members.push_back(entry->second.member);
  }
  auto event = incident(config_, "fleet_time", now);
  events::ClockData clock;
  clock.server = server;
  event.data = std::move(clock);
  add_text(event, "server", server);
  add_text(event, "direction", direction > 0 ? "behind" : "ahead");
  add_text(event, "agents", join(agents));
  add_text(event, "members", join(fleet.members));
  add_text(event, "reason",
           many ? "many agents drifting the same way" : "every agent using this server drifts");
  event.attributes.push_back({"agent_count", static_cast<std::int64_t>(count)});
  event.attributes.push_back({"agents_up", static_cast<std::int64_t>(up)});
  out.push_back(std::move(event));
  w_.fleet.emplace(key, std::move(fleet));
}

void Correlator::end_fleet(const std::string& key, Timestamp now, std::vector<events::Event>& out) {
  const auto slash = key.rfind('/');
  const auto server = key.substr(0, slash);
  auto event = incident(config_, "fleet_time", now);
  events::ClockData clock;
  clock.server = server;
  event.data = std::move(clock);
  add_text(event, "server", server);
  add_text(event, "phase", "ended");
  add_text(event, "members", join(w_.fleet.at(key).members));
  out.push_back(std::move(event));
  w_.fleet.erase(key);
}

bool Correlator::folded(const events::Event& event) const {
  if (event.type != EventType::time_drift) return false;
  for (const auto& [key, fleet] : w_.fleet)
    if (fleet.agents.contains(event.agent_id)) return true;
  return false;
}

void Correlator::observe_attack(const events::Event& event, Timestamp now,
                                std::vector<events::Event>& out) {
  const auto& network = std::get<events::NetworkData>(event.data);
  if (network.source == IpAddress{}) return;
  auto& campaign = w_.campaigns[network.source.to_string()];
  campaign.source = network.source;
  std::erase_if(campaign.agents,
                [&](const auto& entry) { return now - entry.second > config_.campaign_window; });
  const bool new_agent = !campaign.agents.contains(event.agent_id);
  campaign.agents[event.agent_id] = now;
  campaign.last = now;
  const auto kind = std::string(events::to_string(event.type));
  const bool new_kind =
      std::find(campaign.kinds.begin(), campaign.kinds.end(), kind) == campaign.kinds.end();
  if (new_kind) campaign.kinds.push_back(kind);
  if (campaign.members.size() < kMaxMembers) campaign.members.push_back(event_id(event));
  if (campaign.agents.size() < config_.campaign_min_agents) return;
  // Raised when the campaign is recognized, raised again (same incident, grouped into the same
  // alert) whenever another agent or another kind of attack joins it.
  if (campaign.open && !new_agent && !new_kind) return;
  campaign.open = true;
  out.push_back(campaign_event(network.source, campaign, now, ""));
}

events::Event Correlator::campaign_event(const IpAddress& source, const Campaign& campaign,
                                         Timestamp now, std::string phase) const {
  std::vector<std::string> agents;
  for (const auto& [agent, at] : campaign.agents) agents.push_back(agent);
  auto event = incident(config_, "campaign", now);
  events::NetworkData data;
  data.source = source;
  data.kind = join(campaign.kinds);
  event.data = std::move(data);
  add_text(event, "agents", join(agents));
  add_text(event, "kinds", join(campaign.kinds));
  add_text(event, "members", join(campaign.members));
  if (!phase.empty()) add_text(event, "phase", std::move(phase));
  event.attributes.push_back({"agent_count", static_cast<std::int64_t>(agents.size())});
  return event;
}

std::vector<events::Event> Correlator::tick(Timestamp now) {
  std::vector<events::Event> out;
  for (auto it = w_.campaigns.begin(); it != w_.campaigns.end();) {
    if (now - it->second.last <= config_.campaign_window) {
      ++it;
      continue;
    }
    if (it->second.open) out.push_back(campaign_event(it->second.source, it->second, now, "ended"));
    it = w_.campaigns.erase(it);
  }
  return out;
}

}  // namespace cw::alerts
