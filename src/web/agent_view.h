// web/agent_view.h — what the console says about an agent beyond the store's agents table: last
// heartbeat and last event (two fields: an agent that sends heartbeats but no events is not
// down), error bound, frequency, spool depth. Kept current from the stored events the collector's
// writer hands over, and seeded from the store at start. The agent's JSON object (docs/api.md).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>

#include "events/event.h"
#include "store/event_store.h"

namespace cw::web {

struct AgentLive {
  std::optional<Timestamp> last_heartbeat;
  std::optional<Timestamp> last_event;  // newest event of the agent's own that is no heartbeat
  std::optional<Duration> error_bound;
  std::optional<double> frequency_ppm;
  std::optional<std::uint64_t> spool_depth;  // events the agent holds unsent (its heartbeat)
};

class AgentViews {
 public:
  // Folds one stored event in; true when it changed the agent's state (agent_up / agent_down).
  bool observe(const events::Event& event);
  const AgentLive* find(const std::string& agent_id) const;
  // Reads what the store already knows: each agent's newest 64 events (a field none of them
  // tells stays null until the agent sends it again).
  void seed(store::EventStore& store, const std::vector<store::AgentRecord>& agents);
  // The collector's own id (incidents are stored under it): in the store's agents table, but no
  // agent — left out of the agents list, the per-agent metrics, the stream's agent frames.
  void set_pseudo_agent(std::string agent_id) { pseudo_agent_ = std::move(agent_id); }
  bool is_pseudo_agent(const std::string& agent_id) const {
    return !pseudo_agent_.empty() && agent_id == pseudo_agent_;
  }
  // The store's agents without the pseudo-agent.
  std::vector<store::AgentRecord> real_agents(std::vector<store::AgentRecord> agents) const;

 private:
  std::unordered_map<std::string, AgentLive> agents_;
  std::string pseudo_agent_;
};

// "up", "down" or "never_seen" (no heartbeat and no event from the agent itself yet).
std::string_view agent_state(const store::AgentRecord& record, const AgentLive* live);
nlohmann::ordered_json agent_to_json(const store::AgentRecord& record, const AgentLive* live);

}  // namespace cw::web
