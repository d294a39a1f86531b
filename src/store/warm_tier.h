// store/warm_tier.h — the warm tier's compact form, shared by both engines: the events of one
// agent and one UTC hour as one block (the binary codec's batches and their store positions,
// deflated by zlib), grouping raw events into blocks, merging a late event into a block, and
// reading blocks back for the store's queries in (timestamp, agent_id, sequence) order
// (docs/store.md, "Retention tiers").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/event_store.h"

namespace cw::store {

struct WarmBlock {
  std::string agent_id;
  std::int64_t hour_ns = 0;  // the UTC hour's start
  std::uint64_t first_sequence = 0, last_sequence = 0;
  std::uint32_t count = 0;
  std::vector<std::byte> body;  // pack_events()
};

// The events (one agent's, in (timestamp, sequence) order) as a compressed body, and back.
// unpack_events throws std::runtime_error on a body that does not decode.
std::vector<std::byte> pack_events(std::span<const StoredEvent> events);
std::vector<StoredEvent> unpack_events(std::span<const std::byte> body,
                                       const std::string& agent_id);

// Groups raw events (any order) into one block per (agent, hour), merging `existing` blocks of the
// same keys (an event already there by (agent, sequence) is kept once). Sorted by agent, hour.
std::vector<WarmBlock> make_blocks(std::vector<StoredEvent> events,
                                   const std::vector<WarmBlock>& existing = {});

// What a query asks of the warm tier: the engine lists the hours that have blocks (optionally of
// one agent, within [lo, hi) hour starts, in the asked order) and the blocks of one hour.
class WarmSource {
 public:
  virtual ~WarmSource() = default;
  virtual std::vector<std::int64_t> warm_hours(const std::optional<std::string>& agent,
                                               std::int64_t lo_ns, std::int64_t hi_ns,
                                               bool descending) = 0;
  virtual std::vector<WarmBlock> warm_blocks(std::int64_t hour_ns,
                                             const std::optional<std::string>& agent) = 0;
};

struct WarmRead {
  EventFilter filter;                   // its limit caps the answer (0: none); latest ignored
  std::optional<ReplayPosition> after;  // strictly after (or before, descending) this key
  bool descending = false;
};

// The warm events matching `read`, in its order, at most filter.limit of them.
std::vector<StoredEvent> read_warm(WarmSource& source, const WarmRead& read);

// Merges warm events into raw ones (each sorted in `descending` order), cut to `limit` (0: all).
std::vector<StoredEvent> merge_tiers(std::vector<StoredEvent> raw, std::vector<StoredEvent> warm,
                                     bool descending, std::size_t limit);
// A raw answer completed by the warm tier: what read_warm adds, merged in, cut to the limit. When
// the raw answer is already full, only warm events before its last one are looked for.
std::vector<StoredEvent> with_warm(std::vector<StoredEvent> raw, WarmSource& source, WarmRead read);
std::vector<events::Event> events_of(std::vector<StoredEvent> stored);

inline EventFilter without_limit(EventFilter filter) {
  filter.limit = 0, filter.latest = false;
  return filter;
}

// Whether an event passes a filter (its limit and `latest` aside).
bool matches(const EventFilter& filter, const events::Event& event);

}  // namespace cw::store
