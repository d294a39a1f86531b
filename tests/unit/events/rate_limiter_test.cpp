// tests/unit/events/rate_limiter_test.cpp — the agent's token bucket with literal times: the
// burst passes, then 100/s; critical events overtake informational ones in the backlog; what a
// full backlog sheds is counted by type in one events_suppressed summary, never silently lost.
#include "events/rate_limiter.h"

#include <gtest/gtest.h>

namespace cw::events {
namespace {

using namespace std::chrono_literals;

MonotonicTime at(Duration d) { return MonotonicTime{d}; }
Event make(EventType type, Severity severity) {
  Event e;
  e.type = type;
  e.severity = severity;
  return e;
}

TEST(RateLimiter, BurstThenSteadyRate) {
  RateLimiter limiter(
      {.events_per_second = 100, .burst = 10, .backlog = 1000, .summary_interval = 1s});
  for (int i = 0; i < 50; ++i) limiter.offer(make(EventType::port_scan, Severity::low), at(0s));
  EXPECT_EQ(limiter.take(at(0s), {}).size(), 10u);     // the burst
  EXPECT_EQ(limiter.take(at(100ms), {}).size(), 10u);  // 100/s × 0.1 s
  EXPECT_EQ(limiter.stats().backlog, 30u);
}

TEST(RateLimiter, CriticalBeforeInformational) {
  RateLimiter limiter({.events_per_second = 1, .burst = 1, .backlog = 100, .summary_interval = 1s});
  limiter.offer(make(EventType::heartbeat, Severity::info), at(0s));
  limiter.offer(make(EventType::modbus_anomaly, Severity::critical), at(0s));
  auto out = limiter.take(at(0s), {});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::critical);
  out = limiter.take(at(1s), {});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::info);
}

TEST(RateLimiter, FullBacklogShedsTheLeastSevereIntoACountedSummary) {
  RateLimiter limiter({.events_per_second = 1, .burst = 1, .backlog = 2, .summary_interval = 1s});
  limiter.offer(make(EventType::port_scan, Severity::low), at(0s));
  limiter.offer(make(EventType::port_scan, Severity::low), at(0s));
  limiter.offer(make(EventType::syn_flood, Severity::high), at(0s));   // sheds a low one
  limiter.offer(make(EventType::time_drift, Severity::info), at(0s));  // shed itself
  auto out = limiter.take(at(0s), from_unix_ns(42));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, EventType::syn_flood);
  EXPECT_EQ(out[1].type, EventType::events_suppressed);
  EXPECT_EQ(out[1].timestamp, from_unix_ns(42));
  EXPECT_EQ(out[1].severity, Severity::low);
  ASSERT_EQ(out[1].attributes.size(), 3u);
  EXPECT_EQ(out[1].attributes[0], (Attribute{"suppressed", std::int64_t{2}}));
  EXPECT_EQ(limiter.stats().suppressed, 2u);
  EXPECT_EQ(limiter.stats().offered,
            limiter.stats().admitted + limiter.stats().suppressed + limiter.stats().backlog);
}

}  // namespace
}  // namespace cw::events
