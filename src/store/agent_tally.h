// store/agent_tally.h — the agents table's rules, pure and shared by every engine: what a batch of
// newly stored events changes in each agent's row (first/last seen, last sequence, counts, the
// latest clock offset), and how such a change is folded into a stored AgentRecord.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "events/event.h"

namespace cw::store {

// What one transaction's new events change in one agent's row.
struct AgentTally {
  std::string_view agent_id;
  std::int64_t first_seen = INT64_MAX, last_seen = INT64_MIN;  // ns since the Unix epoch
  std::uint64_t last_sequence = 0;  // the agent's own sequences only (not collector-made ones)
  std::uint64_t events = 0, alerts = 0, heartbeats = 0;
  std::optional<std::int64_t> offset, offset_at;  // the newest time_drift(_cleared) offset
  bool from_agent = false;      // some were the agent's own (not agent_down/up): it was heard
  bool from_collector = false;  // some were collector-made (agent_down/up)

  void add(const events::Event& event);
  // Folds in a later transaction's tally of the same agent (the rules of merge() below).
  void absorb(const AgentTally& later);
};

// The tallies of one transaction, by agent, in the order agents first appear. A batch's events
// are one agent's run, so the last agent looked up is usually the next one too. The agent ids are
// views into the events: they must outlive the tallies.
class AgentTallies {
 public:
  AgentTally& operator[](std::string_view agent_id);
  void add(const events::Event& event) { (*this)[event.agent_id].add(event); }
  const std::vector<AgentTally>& all() const { return tallies_; }

 private:
  std::vector<AgentTally> tallies_;
  std::unordered_map<std::string_view, std::size_t> index_;
  std::size_t last_ = 0;
};

// Rules for merging a tally into what is stored (an engine's upsert must do exactly this):
// first_seen = min, last_seen = max, last_sequence = max, counts add, and the offset is replaced
// only by one observed at or after the stored one's time.
struct StoredTally {
  std::int64_t first_seen, last_seen;
  std::uint64_t last_sequence, events, alerts, heartbeats;
  std::optional<std::int64_t> offset, offset_at;
};
StoredTally merge(const StoredTally& stored, const AgentTally& tally);

}  // namespace cw::store
