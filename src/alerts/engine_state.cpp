// alerts/engine_state.cpp — the engine resumed from stored state, and what changed since it was
// last stored (alerts/state.h encodes both sides).
#include <algorithm>

#include "alerts/engine.h"
#include "alerts/state.h"

namespace cw::alerts {

void AlertEngine::restore(EngineState state) {
  alerts_.clear();
  open_.clear();
  order_.clear();
  pending_.clear();
  std::sort(state.alerts.begin(), state.alerts.end(),
            [](const Alert& a, const Alert& b) { return a.serial < b.serial; });
  std::uint64_t next = state.next_id;
  for (auto& alert : state.alerts) {
    next = std::max(next, alert.serial + 1);
    const auto id = alert.id;
    if (alert.status == AlertStatus::firing) open_[alert.group_key] = id;
    if (!alert.notified_resolved) pending_.insert(id);  // whatever was left to notify
    order_.push_back(id);
    alerts_.emplace(id, std::move(alert));
  }
  silences_ = std::move(state.silences);
  suppressions_ = std::move(state.suppressions);
  counters_ = std::move(state.counters);
  next_id_ = next;
  touched_.clear();
  forgotten_.clear();
}

AlertChanges AlertEngine::take_changes() {
  AlertChanges out;
  for (const auto& id : touched_)
    if (auto found = alerts_.find(id); found != alerts_.end()) out.changed.push_back(found->second);
  out.forgotten.assign(forgotten_.begin(), forgotten_.end());
  touched_.clear();
  forgotten_.clear();
  return out;
}

}  // namespace cw::alerts
