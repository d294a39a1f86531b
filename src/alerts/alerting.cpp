// alerts/alerting.cpp — correlation, then the engine.
#include "alerts/alerting.h"

namespace cw::alerts {

Alerting::Alerting(AlertsConfig config) : engine_(config), correlator_(config.correlation) {}

void Alerting::set_config(AlertsConfig config) {
  correlator_.set_config(config.correlation);
  engine_.set_config(std::move(config));
}

void Alerting::seed_sequence(const std::string& agent_id, std::uint64_t sequence) {
  engine_.seed_sequence(agent_id, sequence);
  if (agent_id == engine_.config().correlation.collector_id &&
      (sequence & events::kCollectorSequenceBit))
    incident_sequence_ = std::max(incident_sequence_, sequence & ~events::kCollectorSequenceBit);
}

void Alerting::resume(CorrelationWindows windows, std::uint64_t incident_sequence) {
  correlator_.restore(std::move(windows));
  incident_sequence_ = incident_sequence;
}

void Alerting::take_incidents(std::vector<events::Event> raised, Timestamp now,
                              AlertingOutput& out) {
  for (auto& incident : raised) {
    incident.sequence = events::kCollectorSequenceBit | ++incident_sequence_;
    auto notified = engine_.observe(incident, now);
    std::move(notified.begin(), notified.end(), std::back_inserter(out.notifications));
    out.incidents.push_back(std::move(incident));
  }
}

AlertingOutput Alerting::observe(const events::Event& event, Timestamp now) {
  AlertingOutput out;
  // Incidents come back once stored: they went through the engine when they were raised.
  if (event.type == events::EventType::incident &&
      event.agent_id == engine_.config().correlation.collector_id)
    return out;
  auto raised = correlator_.observe(event, now);
  if (correlator_.folded(event)) {
    ++folded_;
  } else {
    out.notifications = engine_.observe(event, now);
  }
  take_incidents(std::move(raised), now, out);
  return out;
}

AlertingOutput Alerting::tick(Timestamp now) {
  AlertingOutput out;
  take_incidents(correlator_.tick(now), now, out);
  auto notified = engine_.tick(now);
  std::move(notified.begin(), notified.end(), std::back_inserter(out.notifications));
  return out;
}

}  // namespace cw::alerts
