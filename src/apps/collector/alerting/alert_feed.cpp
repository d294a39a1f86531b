// apps/collector/alerting/alert_feed.cpp — batches and gaps between the writer and alerting.
#include "apps/collector/alerting/alert_feed.h"

#include <spdlog/spdlog.h>

namespace cw::apps {

// What the alerting thread took and has not finished still counts: it is in memory too.
bool AlertFeed::has_room(std::size_t count) const {
  return (entries_.empty() && !busy_) || held() + count <= capacity_;
}

bool AlertFeed::needs_position(std::size_t count) const {
  std::lock_guard lock(mutex_);
  if (open_gap_) return held() <= capacity_ / 2;  // room again: close it
  return !has_room(count);
}

void AlertFeed::push(std::vector<events::Event> events, std::vector<std::int64_t> positions,
                     std::size_t stored, std::optional<std::int64_t> position_before) {
  std::lock_guard lock(mutex_);
  const auto count = events.size();
  if (!open_gap_) {
    // Without a position nothing can be read back: the batch is queued beyond the capacity.
    if (has_room(count) || !position_before)
      return enqueue({std::move(events), std::move(positions), {}}, count);
    open_gap_.emplace();
    open_gap_->after = *position_before;
    ++stats_.gaps;
    spdlog::warn(
        "alerts: evaluation is {} events behind the store; the events stored from now on are "
        "read back from the store when it catches up (gap {})",
        held(), stats_.gaps);
    return skip(events, stored);
  }
  if (held() > capacity_ / 2 || !position_before) return skip(events, stored);
  end_gap(*position_before);
  enqueue({std::move(events), std::move(positions), {}}, count);
}

void AlertFeed::push_restart(FeedGap gap) {
  std::lock_guard lock(mutex_);
  entries_.push_front({{}, {}, std::move(gap)});
  ready_.notify_one();
}

void AlertFeed::end_gap(std::int64_t through) {
  open_gap_->through = through;
  spdlog::info("alerts: {} events of {} agents to read back from the store (gap {})",
               open_gap_->events, open_gap_->agents.size(), stats_.gaps);
  enqueue({{}, {}, std::move(open_gap_)}, 0);
  open_gap_.reset();
}

bool AlertFeed::gap_open() const {
  std::lock_guard lock(mutex_);
  return open_gap_.has_value();
}

void AlertFeed::close_gap(std::int64_t last_position) {
  std::lock_guard lock(mutex_);
  if (open_gap_) end_gap(last_position);
}

void AlertFeed::enqueue(FeedEntry entry, std::size_t count) {
  if (!entry.gap) {
    ++stats_.batches;
    stats_.events += count;
  }
  queued_events_ += count;
  entries_.push_back(std::move(entry));
  ready_.notify_one();
}

// A batch holds runs of one agent's events: one set insert per run.
void AlertFeed::skip(const std::vector<events::Event>& events, std::size_t stored) {
  const std::string* last = nullptr;
  for (const auto& event : events) {
    if (!last || *last != event.agent_id) open_gap_->agents.insert(event.agent_id);
    last = &event.agent_id;
  }
  open_gap_->events += stored;
  stats_.gap_events += stored;
}

std::vector<FeedEntry> AlertFeed::pop(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, wait, [this] { return !entries_.empty() || closed_; });
  if (closed_ && open_gap_) {
    entries_.push_back({{}, {}, std::move(open_gap_)});
    open_gap_.reset();
  }
  std::vector<FeedEntry> out(std::make_move_iterator(entries_.begin()),
                             std::make_move_iterator(entries_.end()));
  entries_.clear();
  in_flight_events_ = queued_events_;
  queued_events_ = 0;
  busy_ = !out.empty();
  return out;
}

void AlertFeed::done() {
  {
    std::lock_guard lock(mutex_);
    busy_ = false;
    in_flight_events_ = 0;
  }
  idle_.notify_all();
}

bool AlertFeed::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, timeout, [this] { return entries_.empty() && !busy_; });
}

void AlertFeed::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  ready_.notify_all();
}

bool AlertFeed::closed_and_empty() const {
  std::lock_guard lock(mutex_);
  return closed_ && entries_.empty() && !open_gap_;
}

FeedStats AlertFeed::stats() const {
  std::lock_guard lock(mutex_);
  auto out = stats_;
  out.queued_events = queued_events_;
  out.behind = open_gap_.has_value();
  return out;
}

}  // namespace cw::apps
