// apps/agent/agent_clock_watch.h — the clock half of `chronowatch agent`: the pure clock monitor
// (detect/clock/clock_monitor.h) wired to the NTP poller and the event router. `tick()` is called
// by the agent's main loop every ~250 ms: it checks the clock for steps at once, collects a
// finished poll and starts the next one on a worker thread when a server is due, so a slow or dead
// server never delays step detection. The network monitor plugs into the same loop beside it.
#pragma once

#include <future>
#include <memory>
#include <optional>

#include "apps/agent/agent_poller.h"
#include "apps/agent/agent_router.h"
#include "apps/agent/agent_settings.h"
#include "core/clock.h"
#include "core/random.h"
#include "detect/clock/clock_monitor.h"

namespace cw::apps {

class ClockWatch {
 public:
  ClockWatch(const AgentSettings& settings, Clock& clock, Random& random, EventRouter& router);
  ~ClockWatch();  // waits for a poll in flight

  void tick();
  // Sleeps up to `at_most` (relative sleeps: immune to a faked clock), in 10 ms slices while a
  // poll is in flight, so that its result is judged as soon as it is in (the first poll's result
  // within milliseconds of start-up, not at the next 250 ms tick).
  void wait(std::chrono::milliseconds at_most);
  // --once: one blocking poll of every server (a burst each), judged and published.
  void poll_once();
  // A reload (apps/agent/agent_reload.h): the poll in flight is judged first; new NTP servers (or
  // their NTS, timeout, timestamp settings) get a new poller and a first burst; thresholds and
  // limits apply from the next poll, the drift state stays.
  void reconfigure(const AgentSettings& settings, bool servers_changed, bool schedule_changed);

  const detect::ClockMonitor& monitor() const { return monitor_; }
  const detect::PollRound& last_round() const { return last_round_; }

 private:
  void judge(const detect::PollRound& round);
  void publish(std::vector<events::Event> events);

  Clock& clock_;
  Random& random_;
  EventRouter& router_;
  int burst_;
  std::optional<NtpPoller> poller_;
  detect::ClockMonitor monitor_;
  detect::PollRound last_round_;
  std::future<detect::PollRound> in_flight_;
  bool first_poll_ = true;
};

}  // namespace cw::apps
