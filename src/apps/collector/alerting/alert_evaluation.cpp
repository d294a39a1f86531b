// apps/collector/alerting/alert_evaluation.cpp — the evaluation thread: committed batches from
// the feed through the core, and the gaps of a feed that overflowed read back from the store.
#include <spdlog/spdlog.h>

#include "apps/collector/alerting/alert_service.h"

namespace cw::apps {
namespace {

// Events evaluated under one hold of the engine's lock: the API waits at most this many.
constexpr std::size_t kEventsPerLock = 2048;
constexpr std::size_t kReadBackPage = 10'000;
constexpr std::chrono::seconds kFinishTime{10};

}  // namespace

void AlertService::evaluate_loop() {
  while (!feed_.closed_and_empty()) {
    for (auto& entry : feed_.pop(std::chrono::milliseconds(200))) {
      if (past_deadline())
        unevaluated_ += entry.gap ? entry.gap->events : entry.events.size();
      else if (entry.gap)
        read_back(*entry.gap);
      else
        evaluate(entry.events, entry.positions);
    }
    feed_.done();
  }
}

bool AlertService::past_deadline() {
  return clock_.monotonic_now().time_since_epoch().count() > evaluate_until_;
}

void AlertService::evaluate(std::span<const events::Event> events,
                            std::span<const std::int64_t> positions) {
  try {
    for (std::size_t first = 0; first < events.size(); first += kEventsPerLock) {
      const auto now = wall_now();
      const auto count = std::min(kEventsPerLock, events.size() - first);
      alerts::AlertingOutput out;
      {
        std::lock_guard lock(engine_mutex_);
        const auto slice = events.subspan(first, count);
        note_evaluated(first < positions.size()
                           ? positions.subspan(first, std::min(count, positions.size() - first))
                           : std::span<const std::int64_t>{});
        for (const auto& event : slice) {
          auto one = alerting_.observe(event, now);
          std::move(one.notifications.begin(), one.notifications.end(),
                    std::back_inserter(out.notifications));
          std::move(one.incidents.begin(), one.incidents.end(), std::back_inserter(out.incidents));
        }
        publish_totals();
      }
      apply(std::move(out), now);
    }
  } catch (const std::exception& error) {
    spdlog::error("alerts: cannot process stored events: {}", error.what());
  }
}

// In store order, only the gap's agents' events (a shared store holds other collectors' too).
void AlertService::read_back(const FeedGap& gap) {
  std::int64_t position = gap.after;
  std::uint64_t found = 0;
  try {
    if (!reader_) reader_ = store::open_store(options_.state_store, {.read_only = true});
    store::EventFilter filter;
    filter.limit = kReadBackPage;
    for (bool more = true; more && position < gap.through;) {
      if (past_deadline()) {
        if (found < gap.events) unevaluated_ += gap.events - found;
        return;
      }
      auto page = reader_->read_after(position, filter);
      more = page.size() == kReadBackPage;
      std::vector<events::Event> mine;
      std::vector<std::int64_t> positions;
      for (auto& stored : page) {
        if (stored.position > gap.through) {
          more = false;
          break;
        }
        position = stored.position;
        if (gap.every_agent || gap.agents.contains(stored.event.agent_id)) {
          mine.push_back(std::move(stored.event));
          positions.push_back(stored.position);
        }
      }
      found += mine.size();
      evaluate(mine, positions);
    }
  } catch (const std::exception& error) {
    if (found < gap.events) read_back_lost_ += gap.events - found;
    spdlog::error(
        "alerts: cannot read back the events stored after position {} from {}: {}; "
        "they are not evaluated",
        position, store::describe_store(options_.state_store), error.what());
  }
  finish_read_back(gap, found, position);
}

void AlertService::finish_read_back(const FeedGap& gap, std::uint64_t found,
                                    std::int64_t position) {
  if (!gap.restart) {
    read_back_ += found;
    spdlog::info(
        "alerts: evaluated {} events read back from the store ({} new events skipped by "
        "the feed, positions {} to {})",
        found, gap.events, gap.after, position);
    return;
  }
  resumed_ += found;
  {
    std::lock_guard lock(engine_mutex_);
    seed(std::exchange(deferred_seeds_, {}));
  }
  spdlog::info(
      "alerts: evaluated {} events stored after position {} that were not evaluated before "
      "the collector stopped (positions {} to {})",
      found, gap.after, gap.after, position);
}

void AlertService::drain(std::chrono::milliseconds timeout) {
  if (evaluator_.joinable() && !feed_.wait_idle(timeout))
    spdlog::warn("alerts: still evaluating {} events at shutdown; going on",
                 feed_.stats().queued_events);
}

// At most kFinishTime more: a collector far behind under a saturating load must still stop.
void AlertService::finish_evaluation() {
  const auto until = clock_.monotonic_now() + kFinishTime;
  evaluate_until_ =
      std::min(evaluate_until_.load(), std::int64_t{until.time_since_epoch().count()});
  feed_.close();
  if (evaluator_.joinable())
    evaluator_.join();
  else
    evaluate_loop();  // never started: what was handed over is evaluated here
  if (const auto left = unevaluated_.exchange(0); left > 0)
    spdlog::warn(
        "alerts: stopping: {} stored events were not evaluated (alerting was that far behind); "
        "they are in the store, and evaluated first at the next start",
        left);
}

}  // namespace cw::apps
