// alerts/alerting.h — the whole alerting core as the collector uses it: every stored event goes
// through correlation (which may raise incidents, numbered here so the shell can store them) and
// then through the engine (unless an open fleet incident already stands for it).
#pragma once

#include <vector>

#include "alerts/correlation.h"
#include "alerts/engine.h"

namespace cw::alerts {

struct AlertingOutput {
  std::vector<Notification> notifications;  // to deliver, in order
  std::vector<events::Event> incidents;     // to store (and stream) like any event
};

class Alerting {
 public:
  explicit Alerting(AlertsConfig config = default_config());
  void set_config(AlertsConfig config);
  // The last stored sequences, so resent events are not alerted twice and incidents continue
  // their numbering.
  void seed_sequence(const std::string& agent_id, std::uint64_t sequence);

  AlertingOutput observe(const events::Event& event, Timestamp now);
  AlertingOutput tick(Timestamp now);

  // Kept across restarts with the engine's state (alerts/state.h): the correlation windows and
  // the last incident number, so that a campaign spanning a restart stays one incident and an
  // incident raised again from the same events gets the number it was stored under.
  const CorrelationWindows& windows() const { return correlator_.windows(); }
  std::uint64_t incident_sequence() const { return incident_sequence_; }
  void resume(CorrelationWindows windows, std::uint64_t incident_sequence);

  AlertEngine& engine() { return engine_; }
  const AlertEngine& engine() const { return engine_; }
  std::uint64_t folded() const { return folded_; }

 private:
  void take_incidents(std::vector<events::Event> raised, Timestamp now, AlertingOutput& out);

  AlertEngine engine_;
  Correlator correlator_;
  std::uint64_t incident_sequence_ = 0;
  std::uint64_t folded_ = 0;
};

}  // namespace cw::alerts
