// detect/liveness.h — which agents are alive (seed 002: "heartbeats para detectar agentes caídos"):
// an agent heard from (heartbeat or any event) is up; silent for `missed_intervals` heartbeat
// intervals plus a grace it is down (one agent_down event), and heard again it is up (one
// agent_up event). Pure: the caller passes `now` and calls check() by next_deadline().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "events/event.h"

namespace cw::detect {

struct LivenessConfig {
  Duration interval = std::chrono::seconds{30};  // seed 002: heartbeat_interval 30
  Duration grace = std::chrono::seconds{10};
  int missed_intervals = 2;
};

// agent_down / agent_up events carry the agent's id and a sequence with events::
// kCollectorSequenceBit set (the rest: microseconds since the epoch of the transition).
using events::kCollectorSequenceBit;

class LivenessTracker {
 public:
  explicit LivenessTracker(LivenessConfig config = {}) : config_(config) {}

  // The agent was heard from at `now`; `interval` is its own heartbeat interval when it told us
  // (else the configured one). Returns agent_up when it had been declared down.
  std::optional<events::Event> heard(std::string_view agent_id, Timestamp now,
                                     std::optional<Duration> interval = std::nullopt);
  // Agent_down for every up agent silent since last_heard + missed × interval + grace <= now.
  std::vector<events::Event> check(Timestamp now);
  // The earliest time check() can declare someone down; nullopt when nobody is up.
  std::optional<Timestamp> next_deadline() const;
  // State known from before (e.g. the store, after a collector restart); raises nothing.
  void restore(std::string_view agent_id, Timestamp last_heard, bool up);

  struct AgentState {
    Timestamp last_heard;
    Duration interval;
    bool up = true;
    Timestamp since;  // when `up` last changed (or first heard)
  };
  const std::unordered_map<std::string, AgentState>& agents() const { return agents_; }

 private:
  Timestamp deadline(const AgentState& state) const;
  AgentState& state_for(std::string_view agent_id, Timestamp now);
  LivenessConfig config_;
  std::unordered_map<std::string, AgentState> agents_;
};

}  // namespace cw::detect
