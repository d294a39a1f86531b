// store/replay.h — history again (seed 002's "time travel"): a cursor over any EventStore in
// (timestamp, agent_id, sequence) order, read in pages, and the pacing that replays events with
// their original spacing scaled by a speed factor. Waiting and emitting are the caller's.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "store/event_store.h"

namespace cw::store {

class ReplayCursor {
 public:
  // Events with from <= timestamp < until, `page` rows per read.
  ReplayCursor(EventStore& store, Timestamp from, Timestamp until, std::size_t page = 1000);
  std::optional<events::Event> next();

 private:
  EventStore& store_;
  Timestamp from_, until_;
  std::size_t page_size_;
  std::vector<events::Event> page_;
  std::size_t index_ = 0;
  std::optional<ReplayPosition> after_;
  bool exhausted_ = false;
};

// When an event is due, relative to the start of the replay: its distance from the first event
// divided by `speed` (2 = twice as fast). speed <= 0 means no waiting at all.
Duration replay_due(Timestamp first_event, Timestamp event, double speed);

struct ReplayHooks {
  std::function<void(Duration due)> wait_until;    // block until `due` after the start
  std::function<bool(const events::Event&)> emit;  // false stops the replay
};

// Replays [from, until) with the original pacing scaled by `speed`; returns how many events
// were emitted.
std::size_t replay(EventStore& store, Timestamp from, Timestamp until, double speed,
                   const ReplayHooks& hooks);

}  // namespace cw::store
