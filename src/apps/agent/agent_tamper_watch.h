// apps/agent/agent_tamper_watch.h — the agent's scan for tampered time on the host
// (`--tamper-interval`, default 10 s; 0 off; once in --once): reads the processes that are new
// since the last scan (platform/host_time_readers.h) and hands what they show to the pure judge
// (detect/clock/tampering.h), checks /etc/ld.so.preload, the kernel's frequency (read-only), the
// agent's own clock against the raw system call, and between scans whether the real-time clock
// was set (a timerfd that wakes on it). Events go through the EventRouter with the agent's id.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "apps/agent/agent_router.h"
#include "core/clock.h"
#include "detect/clock/tampering.h"
#include "platform/host_time_readers.h"

namespace cw::apps {

struct TamperScanStats {
  std::size_t processes = 0, read = 0, denied = 0, events = 0;
  double cpu_seconds = 0;  // of this scan (thread CPU time)
};

class TamperWatch {
 public:
  TamperWatch(Clock& clock, std::string agent_id, std::string proc_root = "/proc");
  // One scan now; its events are published.
  TamperScanStats scan(EventRouter& router);
  // From the daemon loop: a scan when `interval` has passed, and a clock set noticed at once.
  void tick(EventRouter& router, Duration interval);

 private:
  void publish(EventRouter& router, events::Event event);
  std::string running_time_daemon() const;  // among the processes of the last scan

  Clock& clock_;
  std::string agent_id_, proc_root_;
  detect::TamperJudge judge_;
  std::map<platform::ProcessId, detect::ProcessFacts> known_;  // judged, while they live
  std::unique_ptr<platform::ClockSetWatch> clock_set_;
  MonotonicTime last_scan_{};
  bool scanned_ = false, warned_denied_ = false;
};

}  // namespace cw::apps
