// store/retention.h — the retention policy (docs/store.md, "Retention tiers"), pure: given the
// raw and warm ages and `now`, which events stay raw, which are rolled into the compact warm form
// (per agent and hour, the binary codec compressed), and which are exported to the archive
// directory and dropped. The engines' mechanics apply a plan (EventStore::apply_retention).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/time.h"

namespace cw::store {

inline constexpr Duration kDay = std::chrono::hours{24};
inline constexpr Duration kHour = std::chrono::hours{1};

struct RetentionPolicy {
  Duration raw = 14 * kDay;    // --retention-raw: events younger than this stay raw rows
  Duration warm = 365 * kDay;  // --retention-warm: older than raw, younger than this: warm
  Duration every = kHour;      // how often the collector applies it
};

// What one pass does, with whole days (PostgreSQL's partitions, the archive files' unit):
// events with timestamp < raw_before leave the raw tier (heartbeats are dropped, the rest go
// warm); warm hours < warm_before are exported to the archive and dropped.
struct RetentionPlan {
  Timestamp raw_before;
  Timestamp warm_before;
  bool operator==(const RetentionPlan&) const = default;
};

// The plan at `now`. Ages are rounded down to whole days so a pass moves whole partitions.
RetentionPlan plan_retention(const RetentionPolicy& policy, Timestamp now);

// Whether a pass is due at `now` when the last ran at `last` (never: due at once).
bool retention_due(const RetentionPolicy& policy, std::optional<Timestamp> last, Timestamp now);

// Empty when usable, else what is wrong (for a usage error naming the flags).
std::string check_policy(const RetentionPolicy& policy);

// The start of the UTC day / hour holding `t`.
Timestamp floor_day(Timestamp t);
Timestamp floor_hour(Timestamp t);

}  // namespace cw::store
