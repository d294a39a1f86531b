// apps/collector/alerting/alert_progress.cpp — how far evaluation got, kept with the alerting
// state: the store position through which every stored event was evaluated. A restarted
// collector (after a kill -9, or a shutdown that left events unevaluated) first evaluates what
// was stored after it, read back from the store, then the live events: each once.
#include <spdlog/spdlog.h>

#include "apps/collector/alerting/alert_service.h"

namespace cw::apps {

// Under engine_mutex_ (restore_state), before the writer starts: the store's last position now
// is the end of what the previous run may have left unevaluated.
void AlertService::resume_from(const StoredAlerting& stored) {
  const bool shared = state_->shared();
  stored_agents_ = stored.agents;
  alerting_.resume(stored.windows.value_or(alerts::CorrelationWindows{}),
                   stored.progress ? stored.progress->incident_sequence : 0);
  const auto last = state_->last_position();
  evaluated_through_ = last;
  if (!stored.progress) return;  // saved by a version that did not keep it: from now on
  const auto after = stored.progress->evaluated_through;
  if (after > last) {
    spdlog::warn(
        "alerts: the saved state was evaluated through store position {}, beyond the store's "
        "last ({}): not the store it was saved with? Evaluating from its end",
        after, last);
    return;
  }
  evaluated_through_ = after;
  if (after == last) return;
  FeedGap gap;
  gap.after = after;
  gap.through = last;
  gap.restart = true;
  gap.every_agent = !shared;
  gap.agents.insert(stored.agents.begin(), stored.agents.end());
  spdlog::info(
      "alerts: the events stored after position {} (through {}) were not evaluated before the "
      "collector stopped: they are evaluated first{}",
      after, last,
      shared ? fmt::format(" (the {} agents' this collector stored)", gap.agents.size())
             : std::string());
  feed_.push_restart(std::move(gap));
  restart_gap_ = true;
}

void AlertService::note_evaluated(std::span<const std::int64_t> positions) {
  for (const auto position : positions) evaluated_through_ = std::max(evaluated_through_, position);
}

EvaluationMark AlertService::mark() {
  EvaluationMark out;
  out.progress = alerts::EvaluationProgress{evaluated_through_, alerting_.incident_sequence()};
  return out;
}

std::int64_t AlertService::evaluated_through() {
  std::lock_guard lock(engine_mutex_);
  return evaluated_through_;
}

}  // namespace cw::apps
