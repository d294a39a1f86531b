// apps/collector/alerting/alert_feed.h — the bounded hand-over from the collector's writer thread
// to its alerting thread: committed batches of events, in commit order. The writer never waits
// here. When the feed is full it stops copying batches and opens a gap instead (the store
// positions it skipped and the agents whose events fell in them); once there is room again the
// gap goes into the feed like a batch, and the alerting thread reads those events back from the
// store when it reaches it. So every stored event is evaluated once and in order, however far
// alerting falls behind, and the memory held is bounded.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "events/event.h"

namespace cw::apps {

// Events stored but not handed over: store positions (after, through], of these agents (a store
// shared by several collectors holds the others' events there too).
struct FeedGap {
  std::int64_t after = 0;
  std::int64_t through = std::numeric_limits<std::int64_t>::max();  // still open: to the end
  std::set<std::string> agents;
  std::uint64_t events = 0;  // new events stored in the gap
  // At startup: what was stored after the saved state's position and not evaluated before the
  // collector stopped (every agent's, on a store of its own; `agents` on a shared one).
  bool restart = false;
  bool every_agent = false;
};

// One hand-over: a committed batch (with each event's store position, 0 for a resend the store
// already had), or a gap to read back from the store.
struct FeedEntry {
  std::vector<events::Event> events;
  std::vector<std::int64_t> positions;
  std::optional<FeedGap> gap;
};

struct FeedStats {
  std::uint64_t batches = 0;      // handed over
  std::uint64_t events = 0;       // in those batches
  std::uint64_t gaps = 0;         // opened because the feed was full
  std::uint64_t gap_events = 0;   // new events skipped in them (read back from the store)
  std::size_t queued_events = 0;  // waiting now
  bool behind = false;            // a gap is open now
};

class AlertFeed {
 public:
  explicit AlertFeed(std::size_t capacity_events) : capacity_(capacity_events) {}

  // Writer thread, before committing `count` events: whether push will need the store's last
  // position before that commit (to open a gap when full, or to close one once there is room).
  // Full: the events queued and those the alerting thread is evaluating reach the capacity.
  bool needs_position(std::size_t count) const;
  // Writer thread, after the commit: the batch, how many of its events were new (the others
  // were resends), and the store's last position read before the commit when needs_position
  // asked for it (empty if it could not be read). Never waits.
  void push(std::vector<events::Event> events, std::vector<std::int64_t> positions,
            std::size_t stored, std::optional<std::int64_t> position_before);
  // At startup, before the writer starts: a gap evaluated before anything pushed.
  void push_restart(FeedGap gap);

  // Writer thread, idle (nothing to commit): a gap still open is closed at `last_position`, so
  // the alerting thread reads it back without waiting for the next commit.
  bool gap_open() const;
  void close_gap(std::int64_t last_position);

  // Alerting thread: everything queued, waiting up to `wait` for a first entry. After close(),
  // an open gap comes out last, read to the end of the store.
  std::vector<FeedEntry> pop(std::chrono::milliseconds wait);
  void done();  // the alerting thread finished what it popped (wait_idle)
  // Until everything pushed so far is evaluated, or `timeout`; false on the timeout.
  bool wait_idle(std::chrono::milliseconds timeout);
  void close();  // the writer has stopped: pop returns at once
  bool closed_and_empty() const;
  FeedStats stats() const;

 private:
  bool has_room(std::size_t count) const;  // under mutex_
  std::size_t held() const { return queued_events_ + in_flight_events_; }
  void enqueue(FeedEntry entry, std::size_t count);
  void skip(const std::vector<events::Event>& events, std::size_t stored);
  void end_gap(std::int64_t through);  // the open gap into the queue

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable ready_, idle_;
  std::deque<FeedEntry> entries_;
  std::optional<FeedGap> open_gap_;
  std::size_t queued_events_ = 0;
  std::size_t in_flight_events_ = 0;  // popped, not done
  bool busy_ = false;
  bool closed_ = false;
  FeedStats stats_;
};

}  // namespace cw::apps
