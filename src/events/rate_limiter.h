// events/rate_limiter.h — the agent's admission of events into its outbox (seed 002: "rate
// limiting inteligente por agente", "agregación local", "priorización crítico vs informativo").
// A token bucket (max_events_per_second, burst) admits events from a backlog, most severe first
// (FIFO within a severity). When the backlog is full the least severe, oldest event is
// suppressed; suppressed events are never silent: they are counted by type and become one
// `events_suppressed` summary event per summary interval. Pure: `now` comes from the caller.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "core/time.h"
#include "events/event.h"

namespace cw::events {

struct RateLimitOptions {
  double events_per_second = 100;  // seed 002: agent.max_events_per_second
  double burst = 100;              // bucket size: events admitted at once after a quiet spell
  std::size_t backlog = 1000;      // events waiting for tokens before suppression starts
  Duration summary_interval = std::chrono::seconds(1);
};

struct RateLimitStats {
  std::uint64_t offered = 0, admitted = 0, suppressed = 0, summaries = 0;
  std::size_t backlog = 0;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimitOptions options = {});

  void offer(Event event, MonotonicTime now);
  // Events admitted now, most severe first, then a summary of what was suppressed if one is due
  // (summaries are not rate limited: at most one per interval). `wall` stamps the summary.
  std::vector<Event> take(MonotonicTime now, Timestamp wall);

  // Everything still waiting, most severe first, regardless of tokens (the agent is stopping).
  std::vector<Event> drain();

  const RateLimitStats& stats() const { return stats_; }

 private:
  void refill(MonotonicTime now);
  void suppress(const Event& event);
  std::optional<Event> summary(MonotonicTime now, Timestamp wall);

  RateLimitOptions options_;
  double tokens_;
  std::optional<MonotonicTime> last_refill_;
  std::array<std::deque<Event>, 5> backlog_;  // by severity, info..critical
  std::size_t backlog_size_ = 0;
  std::map<EventType, std::uint64_t> suppressed_by_type_;
  Severity worst_suppressed_ = Severity::info;
  std::optional<MonotonicTime> last_summary_;
  RateLimitStats stats_;
};

}  // namespace cw::events
