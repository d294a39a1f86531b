// store/agent_tally.cpp — the agents table's rules (store/agent_tally.h).
#include "store/agent_tally.h"

#include <algorithm>

namespace cw::store {

void AgentTally::add(const events::Event& e) {
  const auto t = unix_ns(e.timestamp);
  first_seen = std::min(first_seen, t);
  last_seen = std::max(last_seen, t);
  if ((e.sequence & events::kCollectorSequenceBit) == 0) {
    last_sequence = std::max(last_sequence, e.sequence);
    from_agent = true;
  } else {
    from_collector = true;
  }
  ++events;
  if (e.severity >= events::Severity::high) ++alerts;
  if (e.type == events::EventType::heartbeat) ++heartbeats;
  const auto* clock = std::get_if<events::ClockData>(&e.data);
  const bool reports_offset =
      e.type == events::EventType::time_drift || e.type == events::EventType::time_drift_cleared;
  if (clock && reports_offset && (!offset_at || t >= *offset_at)) {
    offset = clock->offset.count();
    offset_at = t;
  }
}

void AgentTally::absorb(const AgentTally& later) {
  first_seen = std::min(first_seen, later.first_seen);
  last_seen = std::max(last_seen, later.last_seen);
  last_sequence = std::max(last_sequence, later.last_sequence);
  events += later.events;
  alerts += later.alerts;
  heartbeats += later.heartbeats;
  if (later.offset_at && (!offset_at || *later.offset_at >= *offset_at)) {
    offset = later.offset;
    offset_at = later.offset_at;
  }
  from_agent = from_agent || later.from_agent;
  from_collector = from_collector || later.from_collector;
}

AgentTally& AgentTallies::operator[](std::string_view agent_id) {
  if (last_ < tallies_.size() && tallies_[last_].agent_id == agent_id) return tallies_[last_];
  auto [at, added] = index_.try_emplace(agent_id, tallies_.size());
  if (added) tallies_.emplace_back().agent_id = agent_id;
  last_ = at->second;
  return tallies_[last_];
}

StoredTally merge(const StoredTally& stored, const AgentTally& tally) {
  StoredTally out = stored;
  out.first_seen = std::min(stored.first_seen, tally.first_seen);
  out.last_seen = std::max(stored.last_seen, tally.last_seen);
  out.last_sequence = std::max(stored.last_sequence, tally.last_sequence);
  out.events += tally.events;
  out.alerts += tally.alerts;
  out.heartbeats += tally.heartbeats;
  if (tally.offset_at && (!stored.offset_at || *tally.offset_at >= *stored.offset_at)) {
    out.offset = tally.offset;
    out.offset_at = tally.offset_at;
  }
  return out;
}

}  // namespace cw::store
