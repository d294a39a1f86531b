// detect/liveness.cpp — the liveness tracker of detect/liveness.h.
#include "detect/liveness.h"

namespace cw::detect {
namespace {

using events::Event;
using events::EventType;

Event transition(std::string_view agent_id, EventType type, events::Severity severity,
                 Timestamp now) {
  const auto micros = static_cast<std::uint64_t>(unix_ns(now) / 1000);
  return Event{now,
               std::string{agent_id},
               kCollectorSequenceBit | (micros & ~kCollectorSequenceBit),
               type,
               severity,
               {},
               {}};
}

}  // namespace

Timestamp LivenessTracker::deadline(const AgentState& state) const {
  return state.last_heard + config_.missed_intervals * state.interval + config_.grace;
}

LivenessTracker::AgentState& LivenessTracker::state_for(std::string_view agent_id, Timestamp now) {
  auto it = agents_.find(std::string{agent_id});
  if (it == agents_.end())
    it = agents_.emplace(std::string{agent_id}, AgentState{now, config_.interval, true, now}).first;
  return it->second;
}

std::optional<Event> LivenessTracker::heard(std::string_view agent_id, Timestamp now,
                                            std::optional<Duration> interval) {
  auto& state = state_for(agent_id, now);
  if (interval && interval->count() > 0) state.interval = *interval;
  if (now > state.last_heard) state.last_heard = now;
  if (state.up) return std::nullopt;
  const auto down_for = now - state.since;
  state.up = true;
  state.since = now;
  auto event = transition(agent_id, EventType::agent_up, events::Severity::info, now);
  event.attributes.push_back(
      {"down_for_ms", static_cast<std::int64_t>(down_for.count() / 1'000'000)});
  return event;
}

std::vector<Event> LivenessTracker::check(Timestamp now) {
  std::vector<Event> out;
  for (auto& [agent_id, state] : agents_) {
    if (!state.up || now < deadline(state)) continue;
    state.up = false;
    state.since = now;
    auto event = transition(agent_id, EventType::agent_down, events::Severity::high, now);
    event.attributes.push_back({"last_heard_ns", unix_ns(state.last_heard)});
    event.attributes.push_back(
        {"silent_ms", static_cast<std::int64_t>((now - state.last_heard).count() / 1'000'000)});
    out.push_back(std::move(event));
  }
  return out;
}

std::optional<Timestamp> LivenessTracker::next_deadline() const {
  std::optional<Timestamp> earliest;
  for (const auto& [agent_id, state] : agents_)
    if (state.up && (!earliest || deadline(state) < *earliest)) earliest = deadline(state);
  return earliest;
}

void LivenessTracker::restore(std::string_view agent_id, Timestamp last_heard, bool up) {
  auto& state = state_for(agent_id, last_heard);
  state.last_heard = last_heard;
  state.up = up;
}

}  // namespace cw::detect
