// store/retention.cpp — the retention policy: plans from ages and now (store/retention.h).
#include "store/retention.h"

namespace cw::store {
namespace {

Timestamp floor_to(Timestamp t, Duration unit) {
  const auto ns = unix_ns(t), step = unit.count();
  return from_unix_ns(ns >= 0 ? ns / step * step : (ns - step + 1) / step * step);
}

}  // namespace

Timestamp floor_day(Timestamp t) { return floor_to(t, kDay); }
Timestamp floor_hour(Timestamp t) { return floor_to(t, kHour); }

RetentionPlan plan_retention(const RetentionPolicy& policy, Timestamp now) {
  return {.raw_before = floor_day(now - policy.raw), .warm_before = floor_day(now - policy.warm)};
}

bool retention_due(const RetentionPolicy& policy, std::optional<Timestamp> last, Timestamp now) {
  return !last || now - *last >= policy.every || now < *last;  // a clock stepped back: run
}

std::string check_policy(const RetentionPolicy& policy) {
  if (policy.raw < kDay) return "--retention-raw must be at least 1 day";
  if (policy.warm <= policy.raw)
    return "--retention-warm must be longer than --retention-raw (both count from now)";
  if (policy.every <= Duration::zero()) return "the retention interval must be positive";
  return {};
}

}  // namespace cw::store
