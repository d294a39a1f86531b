// alerts/correlation.h — many events, one incident. A fleet time incident: many agents drifting
// the same way through one NTP server within a window (≥ fleet_min_agents, or ≥ fleet_fraction of
// the agents that are up), or every agent that uses one server drifting while the others do not:
// a clock problem on many hosts at once is usually the upstream's. A campaign: one source
// scanning or flooding several agents within a window. Incidents are events (type `incident`,
// agent_id = the collector's id, sequence left 0 for the shell to number), raised once when the
// condition starts and once more with phase=ended when it is over.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "alerts/rules.h"

namespace cw::alerts {

// What a Correlator has seen and not yet let go (its windows, open incidents and campaigns): plain
// data, so that the shell can keep it across a restart (alerts/state.h encodes it).
struct Drift {
  std::string server;
  int direction = 0;  // +1 the local clock is behind, -1 ahead
  Timestamp at;
  std::string member;
  bool operator==(const Drift&) const = default;
};
struct FleetIncident {
  std::set<std::string> agents;
  std::vector<std::string> members;
  bool operator==(const FleetIncident&) const = default;
};
struct Campaign {
  std::map<std::string, Timestamp> agents;  // agent → last attack seen
  std::vector<std::string> kinds;           // in the order first seen
  std::vector<std::string> members;
  IpAddress source;
  Timestamp last;
  bool open = false;
  bool operator==(const Campaign&) const = default;
};
struct CorrelationWindows {
  std::map<std::string, Drift> drifting;  // agent → its open drift
  // "server/direction" → agent → when it last drifted that way: the agents a fleet check counts,
  // without walking every drifting agent at every drift report (1 000 agents drifting at once
  // made each report cost a walk of all of them).
  std::map<std::string, std::map<std::string, Timestamp>> drifting_by_key;
  std::map<std::string, std::set<std::string>> users;  // server → agents that use it
  std::map<std::string, bool> up;                      // agent → up
  std::map<std::string, FleetIncident> fleet;          // "server/direction" → open incident
  std::map<std::string, Campaign> campaigns;           // source → campaign
  bool operator==(const CorrelationWindows&) const = default;
};

class Correlator {
 public:
  explicit Correlator(CorrelationConfig config = {}) : config_(std::move(config)) {}
  void set_config(CorrelationConfig config) { config_ = std::move(config); }

  std::vector<events::Event> observe(const events::Event& event, Timestamp now);
  std::vector<events::Event> tick(Timestamp now);  // campaigns that went quiet end
  // Is this drift report already part of an open fleet incident (so it need not alert alone)?
  bool folded(const events::Event& event) const;

  // Kept across restarts: a campaign or fleet incident spanning one stays one incident.
  const CorrelationWindows& windows() const { return w_; }
  void restore(CorrelationWindows windows);

 private:
  void observe_clock(const events::Event& event, Timestamp now, std::vector<events::Event>& out);
  void observe_attack(const events::Event& event, Timestamp now, std::vector<events::Event>& out);
  void check_fleet(const std::string& agent, const std::string& server, int direction,
                   Timestamp now, std::vector<events::Event>& out);
  void end_fleet(const std::string& key, Timestamp now, std::vector<events::Event>& out);
  void set_up(const std::string& agent, bool up);
  void forget_drift(const std::string& agent);
  std::size_t drifting_within_window(const std::string& key, Timestamp now);
  events::Event campaign_event(const IpAddress& source, const Campaign& campaign, Timestamp now,
                               std::string phase) const;

  CorrelationConfig config_;
  CorrelationWindows w_;
  std::size_t agents_up_ = 0;  // how many of w_.up are true
};

}  // namespace cw::alerts
