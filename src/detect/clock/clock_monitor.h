// detect/clock/clock_monitor.h — the drift agent's judgement, without I/O (seed 000, issue 4). The
// shell feeds it each poll round and a clock check every ~250 ms; it answers with events:
//   time_drift          |offset| > threshold: once when crossed, then repeated with back-off
//                       (repeat_first, doubling up to repeat_max) while it lasts;
//   time_drift_cleared  |offset| back under threshold − hysteresis (no flapping at the edge);
//   clock_step          the wall clock jumped against the boot-time clock (see clock_step.h);
//   frequency_drift     regression over recent offsets says the clock's rate is off by more than
//                       the limit; carries the predicted time until the threshold is crossed;
//   ntp_unreachable / ntp_recovered, server_unsynchronized, falseticker, kiss_of_death
//                       per server (see clock_servers.h).
// It also keeps the poll schedule: which servers are due, and when to be called next.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "detect/clock/clock_config.h"
#include "detect/clock/clock_frequency.h"
#include "detect/clock/clock_sample.h"
#include "detect/clock/clock_servers.h"
#include "detect/clock/clock_step.h"
#include "events/event.h"

namespace cw::detect {

struct DriftStatus {
  bool drifting = false;
  std::optional<ClockSample> last;  // the latest combined sample
  std::optional<FrequencyEstimate> frequency;
  std::uint64_t rounds = 0;
  std::uint64_t steps = 0;
};

class ClockMonitor {
 public:
  ClockMonitor(ClockMonitorConfig config, const std::vector<std::string>& servers,
               MonotonicTime start);

  // After a poll round; `wall` and `now` are when it finished.
  std::vector<events::Event> on_poll(const PollRound& round, Timestamp wall, MonotonicTime now);
  // The ~250 ms clock check (wall and boot-time readings taken back to back).
  std::vector<events::Event> on_tick(Timestamp wall, MonotonicTime boot, MonotonicTime now);

  std::vector<std::string> servers_due(MonotonicTime now) const { return servers_.due(now); }
  std::optional<MonotonicTime> next_poll() const { return servers_.next_due(); }
  bool all_servers_denied() const { return servers_.all_denied(); }
  const DriftStatus& status() const { return status_; }
  const ServerTracker& servers() const { return servers_; }
  const ClockMonitorConfig& config() const { return config_; }

  // A reload (the agent's SIGHUP): new thresholds, hysteresis, repeats and limits, judged from the
  // next poll on; the drift state, steps and frequency history stay. With `servers`, the poll
  // schedule starts again for that list (every server due at `now`).
  void reconfigure(ClockMonitorConfig config,
                   const std::optional<std::vector<std::string>>& servers, MonotonicTime now);

 private:
  void judge_offset(const ClockSample& sample, Timestamp wall, MonotonicTime now,
                    std::vector<events::Event>& out);
  void judge_frequency(const ClockSample& sample, Timestamp wall, std::vector<events::Event>& out);
  events::Event drift_event(events::EventType type, const ClockSample& sample,
                            Timestamp wall) const;

  ClockMonitorConfig config_;
  ServerTracker servers_;
  ClockStepDetector steps_;
  FrequencyEstimator frequency_;
  DriftStatus status_;
  MonotonicTime next_repeat_{};
  Duration repeat_interval_{};
  std::int64_t repeats_ = 0;
  bool frequency_alarm_ = false;
};

}  // namespace cw::detect
