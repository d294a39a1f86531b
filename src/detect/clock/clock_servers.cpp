// detect/clock/clock_servers.cpp — see detect/clock/clock_servers.h.
#include "detect/clock/clock_servers.h"

#include <algorithm>

namespace cw::detect {

using events::EventType;
using events::Severity;

ServerTracker::ServerTracker(const ClockMonitorConfig& config,
                             const std::vector<std::string>& servers, MonotonicTime start)
    : config_(config) {
  for (const auto& server : servers) states_[server] = {config.poll_interval, start};
}

std::vector<std::string> ServerTracker::due(MonotonicTime now) const {
  std::vector<std::string> result;
  for (const auto& [server, state] : states_)
    if (!state.denied && state.next_due <= now) result.push_back(server);
  return result;
}

std::optional<MonotonicTime> ServerTracker::next_due() const {
  std::optional<MonotonicTime> earliest;
  for (const auto& [server, state] : states_)
    if (!state.denied && (!earliest || state.next_due < *earliest)) earliest = state.next_due;
  return earliest;
}

void ServerTracker::expedite(MonotonicTime now) {
  for (auto& [server, state] : states_) state.next_due = std::min(state.next_due, now);
}

bool ServerTracker::all_denied() const {
  return std::all_of(states_.begin(), states_.end(),
                     [](const auto& entry) { return entry.second.denied; });
}

events::Event ServerTracker::event(Timestamp wall, EventType type, Severity severity,
                                   const ServerOutcome& outcome) const {
  events::ClockData data;
  data.server = outcome.server;
  data.stratum = outcome.stratum;
  if (outcome.sample) {
    data.offset = outcome.sample->offset;
    data.delay = outcome.sample->delay;
    data.error_bound = outcome.sample->root_distance;
    data.stratum = outcome.sample->stratum;
  }
  return make_clock_event(config_, wall, type, severity, std::move(data));
}

void ServerTracker::record(const ServerOutcome& outcome, Timestamp wall, MonotonicTime now,
                           std::vector<events::Event>& out) {
  auto found = states_.find(outcome.server);
  if (found == states_.end())
    found = states_.emplace(outcome.server, ServerState{config_.poll_interval, now}).first;
  ServerState& state = found->second;
  state.next_due = now + state.interval;

  if (outcome.status == PollStatus::kiss_of_death)
    return record_kiss(outcome, state, wall, now, out);
  if (outcome.status == PollStatus::no_reply || outcome.status == PollStatus::invalid)
    return record_failure(outcome, state, wall, out);

  // The server answered: it is reachable again.
  if (state.unreachable)
    out.push_back(event(wall, EventType::ntp_recovered, Severity::info, outcome));
  state.unreachable = false;
  state.consecutive_failures = 0;

  const bool unsynchronized = outcome.status == PollStatus::unsynchronized;
  if (unsynchronized && !state.unsynchronized)
    out.push_back(event(wall, EventType::server_unsynchronized, Severity::low, outcome));
  state.unsynchronized = unsynchronized;

  const bool falseticker = outcome.status == PollStatus::ok && outcome.falseticker;
  if (falseticker && !state.falseticker)
    out.push_back(event(wall, EventType::falseticker, Severity::medium, outcome));
  if (outcome.status == PollStatus::ok) state.falseticker = falseticker;
}

void ServerTracker::record_failure(const ServerOutcome& outcome, ServerState& state, Timestamp wall,
                                   std::vector<events::Event>& out) {
  ++state.consecutive_failures;
  if (!state.unreachable && state.consecutive_failures >= config_.unreachable_after) {
    state.unreachable = true;
    auto e = event(wall, EventType::ntp_unreachable, Severity::medium, outcome);
    e.attributes.push_back({"failures", std::int64_t{state.consecutive_failures}});
    out.push_back(std::move(e));
  }
}

// RFC 5905 §7.4: RATE asks the client to reduce its rate (we double the interval, capped); DENY
// and RSTR ask it to stop talking to this server.
void ServerTracker::record_kiss(const ServerOutcome& outcome, ServerState& state, Timestamp wall,
                                MonotonicTime now, std::vector<events::Event>& out) {
  const bool stop = outcome.kiss_code == "DENY" || outcome.kiss_code == "RSTR";
  auto e = event(wall, EventType::kiss_of_death, stop ? Severity::medium : Severity::low, outcome);
  e.attributes.push_back({"code", outcome.kiss_code});
  if (stop) {
    state.denied = true;
    e.attributes.push_back({"action", std::string{"stopped polling this server"}});
  } else if (outcome.kiss_code == "RATE") {
    state.interval = std::min(state.interval * 2, config_.max_poll_interval);
    state.next_due = now + state.interval;
    e.attributes.push_back({"poll_interval_s", to_seconds(state.interval)});
  }
  out.push_back(std::move(e));
}

}  // namespace cw::detect
