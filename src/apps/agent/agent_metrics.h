// apps/agent/agent_metrics.h — `agent --metrics ADDR:PORT`: the agent's snapshot (its clock as
// last measured, the detector's rounds, what its sinks delivered) and one description of its
// fields, from which its Prometheus text is produced. The loop takes a snapshot each tick; the
// metrics thread reads the latest under a lock.
#pragma once

#include <mutex>
#include <span>
#include <string>

#include "apps/agent/agent_clock_watch.h"
#include "apps/agent/agent_router.h"
#include "core/snapshot.h"

namespace cw::apps {

struct AgentSnapshot {
  std::uint64_t rounds = 0, steps = 0;
  bool drifting = false, measured = false;
  double offset_seconds = 0, error_bound_seconds = 0;
  std::uint64_t servers_ok = 0, servers_failed = 0;
  std::uint64_t published = 0, delivered = 0, pending = 0, dropped = 0;
  double uptime_seconds = 0;
};

AgentSnapshot take_agent_snapshot(const ClockWatch& watch, const EventRouter& router,
                                  double uptime_seconds);
std::span<const SnapshotField<AgentSnapshot>> agent_fields();
std::string agent_metrics_text(const AgentSnapshot& snapshot);

class AgentSnapshotBox {
 public:
  void store(const AgentSnapshot& s) {
    std::lock_guard lock(mutex_);
    snapshot_ = s;
  }
  AgentSnapshot load() const {
    std::lock_guard lock(mutex_);
    return snapshot_;
  }

 private:
  mutable std::mutex mutex_;
  AgentSnapshot snapshot_;
};

}  // namespace cw::apps
