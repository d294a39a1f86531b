// apps/collector/alerting/alert_delivery.cpp — each receiver's delivery loop: the oldest waiting
// notification first (so a receiver sees them in order), exponential back-off after a failure
// (1 s, 2 s, 4 s, ... up to retry_max), Alertmanager re-posts, and the counters.
#include <spdlog/spdlog.h>

#include "alerts/delivery.h"
#include "apps/collector/alerting/alert_service.h"
#include "apps/collector/alerting/alert_worker.h"

namespace cw::apps {

// An outbox that fails (its database restarting) is said on its first failure, every 100th, and
// when it works again, not twice a second.
void AlertService::deliver_loop(Worker& worker) {
  std::uint64_t failing = 0;
  while (!stopping_ && !worker.retired) {
    bool more = false;
    try {
      more = deliver_one(worker);
      if (failing > 0)
        spdlog::info("alerts: {}: outbox {} usable again after {} failures", worker.counters.name,
                     outbox_->describe(), failing);
      failing = 0;
    } catch (const std::exception& error) {
      if (failing++ % 100 == 0)
        spdlog::error("alerts: {}: outbox: {} (retried every 0.5 s)", worker.counters.name,
                      error.what());
    }
    if (more) continue;
    std::unique_lock lock(worker.mutex);
    worker.wake.wait_for(lock, std::chrono::milliseconds(500));
  }
}

// Delivers the oldest waiting notification if it is due (and, on a shared outbox, claimed by
// this collector); true when another may be due at once.
bool AlertService::deliver_one(Worker& worker) {
  const auto now = wall_now();
  auto item = outbox_->claim(worker.counters.name, now);
  if (!item) {
    repost(worker, now);
    return false;
  }
  if (!item->taken_over_from.empty()) {
    spdlog::warn("alerts: {}: took over notification {} from {}, whose claim ended (attempt {})",
                 worker.counters.name, item->notification_id, item->taken_over_from,
                 item->attempts + 1);
    std::lock_guard lock(worker.mutex);
    ++worker.counters.taken_over;
  }
  if (now - item->created > options_.max_age) {
    outbox_->delivered(*item);
    spdlog::error("alerts: {}: dropped notification {} after {} attempts over {} h (last: {})",
                  worker.counters.name, item->notification_id, item->attempts,
                  std::chrono::duration_cast<std::chrono::hours>(options_.max_age).count(),
                  item->last_error);
    std::lock_guard lock(worker.mutex);
    ++worker.counters.dropped;
    return true;
  }
  const auto error = worker.receiver.deliver(item->notification_id, item->payload);
  if (error.empty()) {
    outbox_->delivered(*item);
    if (item->attempts > 0)
      spdlog::info("alerts: {}: delivered {} after {} failed attempts", worker.counters.name,
                   item->notification_id, item->attempts);
    std::lock_guard lock(worker.mutex);
    ++worker.counters.delivered;
    return true;
  }
  const auto delay = alerts::retry_delay(item->attempts, options_.retry_max);
  outbox_->failed(*item, wall_now(), delay, error);
  if (item->attempts == 0 || (item->attempts + 1) % 10 == 0)
    spdlog::warn("alerts: {} {}: delivery of {} failed ({}); retrying in {:.0f} s (attempt {})",
                 worker.counters.kind, worker.counters.target, item->notification_id, error,
                 to_seconds(delay), item->attempts + 1);
  std::lock_guard lock(worker.mutex);
  ++worker.counters.failures;
  worker.counters.last_error = error;
  return false;
}

void AlertService::repost(Worker& worker, Timestamp now) {
  if (worker.receiver.kind() != alerts::ReceiverKind::alertmanager || now < worker.next_repost)
    return;
  worker.next_repost = now + options_.repost_interval;
  if (outbox_->waiting(worker.counters.name) > 0) return;  // backing off (or claimed elsewhere)
  std::vector<alerts::Alert> firing;
  {
    std::lock_guard lock(engine_mutex_);
    for (auto& alert : alerting_.engine().alerts())
      if (alert.status == alerts::AlertStatus::firing && alert.notified_firing &&
          alert.silenced_by.empty())
        firing.push_back(std::move(alert));
  }
  const auto payload = worker.receiver.repost_payload(firing, now);
  if (payload.empty()) return;
  const auto error = worker.receiver.deliver({}, payload);
  std::lock_guard lock(worker.mutex);
  if (error.empty()) {
    ++worker.counters.reposts;
  } else {
    ++worker.counters.failures;
    worker.counters.last_error = error;
  }
}

std::vector<ReceiverCounters> AlertService::receiver_counters() {
  std::vector<ReceiverCounters> out;
  std::lock_guard workers(workers_mutex_);
  for (auto& worker : workers_) {
    ReceiverCounters counters;
    {
      std::lock_guard lock(worker->mutex);
      counters = worker->counters;
    }
    try {
      counters.waiting = outbox_->waiting(counters.name);
    } catch (const std::exception&) {
    }
    out.push_back(std::move(counters));
  }
  return out;
}

nlohmann::ordered_json AlertService::stats() {
  nlohmann::ordered_json out;
  {
    const auto totals = this->totals();  // the collector's loop prints it: never on the lock
    const auto& counters = totals->counters;
    out["events_seen"] = counters.events_seen;
    out["events_duplicate"] = counters.events_duplicate;
    out["notifications"] = counters.notifications;
    out["open"] = totals->firing;
    out["folded_into_incidents"] = totals->folded;
    std::uint64_t suppressed = 0, silenced = 0, raised = 0;
    for (const auto& [rule, c] : counters.by_rule) {
      suppressed += c.suppressed;
      silenced += c.silenced;
      raised += c.raised;
    }
    out["raised"] = raised;
    out["suppressed"] = suppressed;
    out["silenced"] = silenced;
  }
  {
    std::lock_guard status(status_mutex_);
    out["lost"] = lost_notifications_;
    out["rules_error"] = rules_error_;
  }
  const auto feed = feed_.stats();
  out["evaluation"] = {{"queued_events", feed.queued_events},
                       {"batches", feed.batches},
                       {"gaps", feed.gaps},
                       {"gap_events", feed.gap_events},
                       {"read_back", read_back_.load()},
                       {"read_back_lost", read_back_lost_.load()},
                       {"resumed", resumed_.load()},
                       {"evaluated_through", evaluated_through()},
                       {"saved_through", state_ ? state_->saved_through() : 0},
                       {"behind", feed.behind}};
  auto receivers = nlohmann::ordered_json::array();
  for (const auto& r : receiver_counters())
    receivers.push_back({{"name", r.name},
                         {"kind", r.kind},
                         {"delivered", r.delivered},
                         {"failures", r.failures},
                         {"dropped", r.dropped},
                         {"reposts", r.reposts},
                         {"taken_over", r.taken_over},
                         {"waiting", r.waiting},
                         {"last_error", r.last_error}});
  out["receivers"] = receivers;
  return out;
}

}  // namespace cw::apps
