// store/replay.cpp — the replay cursor (keyset pages over EventStore::read_replay) and pacing.
#include "store/replay.h"

#include <cmath>

namespace cw::store {

ReplayCursor::ReplayCursor(EventStore& store, Timestamp from, Timestamp until, std::size_t page)
    : store_(store), from_(from), until_(until), page_size_(page == 0 ? 1 : page) {}

std::optional<events::Event> ReplayCursor::next() {
  if (index_ == page_.size()) {
    if (exhausted_) return std::nullopt;
    page_ = store_.read_replay(from_, after_, until_, page_size_);
    index_ = 0;
    exhausted_ = page_.size() < page_size_;
    if (page_.empty()) return std::nullopt;
    const auto& last = page_.back();
    after_ = ReplayPosition{last.timestamp, last.agent_id, last.sequence};
  }
  return std::move(page_[index_++]);
}

Duration replay_due(Timestamp first_event, Timestamp event, double speed) {
  if (speed <= 0 || event <= first_event) return Duration{0};
  const auto elapsed = static_cast<double>((event - first_event).count());
  return Duration{static_cast<Duration::rep>(std::llround(elapsed / speed))};
}

std::size_t replay(EventStore& store, Timestamp from, Timestamp until, double speed,
                   const ReplayHooks& hooks) {
  ReplayCursor cursor{store, from, until};
  std::optional<Timestamp> first;
  std::size_t emitted = 0;
  while (auto event = cursor.next()) {
    if (!first) first = event->timestamp;
    if (hooks.wait_until) hooks.wait_until(replay_due(*first, event->timestamp, speed));
    if (!hooks.emit(*event)) break;
    ++emitted;
  }
  return emitted;
}

}  // namespace cw::store
