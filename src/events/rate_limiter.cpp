// events/rate_limiter.cpp — token bucket + severity backlog + suppression summaries.
#include "events/rate_limiter.h"

#include <algorithm>
#include <iterator>
#include <string>

namespace cw::events {

RateLimiter::RateLimiter(RateLimitOptions options)
    : options_(options), tokens_(std::max(1.0, options.burst)) {}

void RateLimiter::refill(MonotonicTime now) {
  if (last_refill_ && now > *last_refill_)
    tokens_ = std::min(std::max(1.0, options_.burst),
                       tokens_ + to_seconds(now - *last_refill_) * options_.events_per_second);
  if (!last_refill_ || now > *last_refill_) last_refill_ = now;
}

void RateLimiter::suppress(const Event& event) {
  ++stats_.suppressed;
  ++suppressed_by_type_[event.type];
  worst_suppressed_ = std::max(worst_suppressed_, event.severity);
}

void RateLimiter::offer(Event event, MonotonicTime now) {
  ++stats_.offered;
  refill(now);
  if (backlog_size_ >= options_.backlog) {
    // Full: the least severe waiting event (oldest among equals) gives way, or the new one if
    // it is no more severe than any of them.
    const auto lowest = std::find_if(backlog_.begin(), backlog_.end(),
                                     [](const auto& queue) { return !queue.empty(); });
    if (lowest == backlog_.end() || static_cast<std::size_t>(lowest - backlog_.begin()) >=
                                        static_cast<std::size_t>(event.severity)) {
      suppress(event);
      return;
    }
    suppress(lowest->front());
    lowest->pop_front();
    --backlog_size_;
  }
  backlog_[static_cast<std::size_t>(event.severity)].push_back(std::move(event));
  ++backlog_size_;
  stats_.backlog = backlog_size_;
}

std::optional<Event> RateLimiter::summary(MonotonicTime now, Timestamp wall) {
  if (suppressed_by_type_.empty()) return std::nullopt;
  if (last_summary_ && now - *last_summary_ < options_.summary_interval) return std::nullopt;
  last_summary_ = now;
  Event event;
  event.timestamp = wall;
  event.type = EventType::events_suppressed;
  event.severity = worst_suppressed_;
  std::uint64_t total = 0;
  for (const auto& [type, count] : suppressed_by_type_) {
    event.attributes.push_back({std::string(to_string(type)), static_cast<std::int64_t>(count)});
    total += count;
  }
  event.attributes.insert(event.attributes.begin(),
                          Attribute{"suppressed", static_cast<std::int64_t>(total)});
  suppressed_by_type_.clear();
  worst_suppressed_ = Severity::info;
  ++stats_.summaries;
  return event;
}

std::vector<Event> RateLimiter::drain() {
  std::vector<Event> out;
  for (auto queue = backlog_.rbegin(); queue != backlog_.rend(); ++queue) {
    std::move(queue->begin(), queue->end(), std::back_inserter(out));
    queue->clear();
  }
  stats_.admitted += out.size();
  backlog_size_ = 0;
  stats_.backlog = 0;
  return out;
}

std::vector<Event> RateLimiter::take(MonotonicTime now, Timestamp wall) {
  refill(now);
  std::vector<Event> out;
  for (auto queue = backlog_.rbegin(); queue != backlog_.rend(); ++queue) {
    while (!queue->empty() && tokens_ >= 1.0) {
      out.push_back(std::move(queue->front()));
      queue->pop_front();
      --backlog_size_;
      tokens_ -= 1.0;
    }
  }
  stats_.admitted += out.size();
  stats_.backlog = backlog_size_;
  if (auto s = summary(now, wall)) out.push_back(std::move(*s));
  return out;
}

}  // namespace cw::events
