// detect/clock/clock_servers.h — per-server health as the clock monitor sees it: reachability
// (ntp_unreachable / ntp_recovered), unsynchronized servers, falsetickers, and Kiss-o'-Death
// handling (RFC 5905 §7.4: RATE → poll less often, DENY/RSTR → stop polling that server). It also
// says which servers are due for a poll: the agent's schedule, sans I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "detect/clock/clock_config.h"
#include "detect/clock/clock_sample.h"
#include "events/event.h"

namespace cw::detect {

struct ServerState {
  Duration interval{};  // this server's poll interval (grows after RATE)
  MonotonicTime next_due{};
  int consecutive_failures = 0;
  bool unreachable = false;  // ntp_unreachable raised, ntp_recovered not yet
  bool unsynchronized = false;
  bool falseticker = false;
  bool denied = false;  // DENY or RSTR: never polled again
};

class ServerTracker {
 public:
  ServerTracker(const ClockMonitorConfig& config, const std::vector<std::string>& servers,
                MonotonicTime start);

  // Servers due at `now` (never the denied ones).
  std::vector<std::string> due(MonotonicTime now) const;
  // The earliest time a server is due; nullopt when every server is denied.
  std::optional<MonotonicTime> next_due() const;
  void expedite(MonotonicTime now);  // poll every live server at once (after a clock step)
  bool all_denied() const;

  // Updates the state of one polled server and appends the events it causes.
  void record(const ServerOutcome& outcome, Timestamp wall, MonotonicTime now,
              std::vector<events::Event>& out);

  const std::map<std::string, ServerState>& states() const { return states_; }

 private:
  void record_failure(const ServerOutcome& outcome, ServerState& state, Timestamp wall,
                      std::vector<events::Event>& out);
  void record_kiss(const ServerOutcome& outcome, ServerState& state, Timestamp wall,
                   MonotonicTime now, std::vector<events::Event>& out);
  events::Event event(Timestamp wall, events::EventType type, events::Severity severity,
                      const ServerOutcome& outcome) const;

  const ClockMonitorConfig& config_;
  std::map<std::string, ServerState> states_;
};

}  // namespace cw::detect
