// web/agent_view.cpp — the agents' console state and JSON (web/agent_view.h).
#include "web/agent_view.h"

namespace cw::web {
namespace {

using events::EventType;

nlohmann::ordered_json time_or_null(const std::optional<Timestamp>& t) {
  return t ? nlohmann::ordered_json(to_iso8601(*t)) : nlohmann::ordered_json(nullptr);
}

template <typename T, typename F>
nlohmann::ordered_json or_null(const std::optional<T>& value, F convert) {
  return value ? nlohmann::ordered_json(convert(*value)) : nlohmann::ordered_json(nullptr);
}

bool reports_offset(EventType type) {
  return type == EventType::time_drift || type == EventType::time_drift_cleared;
}

void fold(AgentLive& live, const events::Event& event) {
  if (event.sequence & events::kCollectorSequenceBit) return;
  if (event.type == EventType::heartbeat) {
    if (!live.last_heartbeat || event.timestamp >= *live.last_heartbeat) {
      live.last_heartbeat = event.timestamp;
      if (const auto* h = std::get_if<events::HeartbeatData>(&event.data))
        live.spool_depth = h->events_spooled;
    }
    return;
  }
  if (!live.last_event || event.timestamp >= *live.last_event) live.last_event = event.timestamp;
  if (const auto* c = std::get_if<events::ClockData>(&event.data)) {
    if (reports_offset(event.type) && c->error_bound.count() > 0) live.error_bound = c->error_bound;
    if (event.type == EventType::frequency_drift) live.frequency_ppm = c->frequency_ppm;
  }
}

// An agent's newest events, oldest first. One indexed read per agent (by agent and time): a
// filter on the type as well would let SQLite pick the type index and scan every agent's events.
constexpr std::size_t kSeedEvents = 64;

std::vector<events::Event> newest(store::EventStore& store, const std::string& agent) {
  store::EventFilter filter;
  filter.agent_id = agent;
  filter.limit = kSeedEvents;
  filter.latest = true;
  return store.query(filter);
}

}  // namespace

bool AgentViews::observe(const events::Event& event) {
  fold(agents_[event.agent_id], event);
  return event.type == EventType::agent_up || event.type == EventType::agent_down ||
         event.type == EventType::agent_start || event.type == EventType::agent_stop;
}

const AgentLive* AgentViews::find(const std::string& agent_id) const {
  const auto it = agents_.find(agent_id);
  return it == agents_.end() ? nullptr : &it->second;
}

std::vector<store::AgentRecord> AgentViews::real_agents(
    std::vector<store::AgentRecord> agents) const {
  std::erase_if(agents, [this](const auto& r) { return is_pseudo_agent(r.identity.agent_id); });
  return agents;
}

void AgentViews::seed(store::EventStore& store, const std::vector<store::AgentRecord>& agents) {
  for (const auto& record : agents) {
    const auto& id = record.identity.agent_id;
    if (is_pseudo_agent(id)) continue;
    AgentLive& live = agents_[id];
    for (const auto& event : newest(store, id)) fold(live, event);
  }
}

std::string_view agent_state(const store::AgentRecord& record, const AgentLive* live) {
  if (!live || (!live->last_heartbeat && !live->last_event)) return "never_seen";
  return record.up ? "up" : "down";
}

nlohmann::ordered_json agent_to_json(const store::AgentRecord& record, const AgentLive* live) {
  static const AgentLive kNothing{};
  const AgentLive& l = live ? *live : kNothing;
  nlohmann::ordered_json addresses = nlohmann::ordered_json::array();
  for (const auto& address : record.identity.node.addresses)
    addresses.push_back(address.to_string());
  return {{"id", record.identity.agent_id},
          {"state", agent_state(record, live)},
          {"last_heartbeat", time_or_null(l.last_heartbeat)},
          {"last_event", time_or_null(l.last_event)},
          {"last_offset_seconds", or_null(record.last_offset, to_seconds)},
          {"error_bound_seconds", or_null(l.error_bound, to_seconds)},
          {"frequency_ppm", or_null(l.frequency_ppm, [](double v) { return v; })},
          {"spool_depth", or_null(l.spool_depth, [](std::uint64_t v) { return v; })},
          {"version", record.identity.version},
          {"hostname", record.identity.node.hostname},
          {"addresses", addresses},
          {"first_seen", to_iso8601(record.first_seen)},
          {"last_seen", to_iso8601(record.last_seen)},
          {"state_changed", to_iso8601(record.state_changed)},
          {"event_count", record.event_count},
          {"alert_count", record.alert_count}};
}

}  // namespace cw::web
