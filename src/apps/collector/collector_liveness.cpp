// apps/collector/collector_liveness.cpp — the collector's liveness: detect::LivenessTracker fed
// with every stored event (an agent's heartbeat tells its own interval), checked by the writer
// thread, restored from the store's agents at startup so a restart raises nothing spurious; with
// several collectors on one store, refreshed from the agents' `heard` times by the one that sweeps.
#include <memory>

#include "alerts/rules.h"
#include "apps/collector/collector_runtime.h"
#include "apps/collector/collector_writer.h"
#include "detect/liveness.h"

namespace cw::apps {
namespace {

std::optional<Duration> announced_interval(const events::Event& event) {
  if (event.type != events::EventType::heartbeat) return std::nullopt;
  for (const auto& attribute : event.attributes)
    if (attribute.key == "heartbeat_interval_s")
      if (const auto* seconds = std::get_if<std::int64_t>(&attribute.value);
          seconds && *seconds > 0)
        return std::chrono::seconds(*seconds);
  return std::nullopt;
}

}  // namespace

LivenessHooks make_liveness_hooks(const CollectorCommandOptions& options, store::EventStore& store,
                                  Clock& clock) {
  detect::LivenessConfig config;
  config.interval = from_seconds(options.heartbeat_interval);
  config.grace = from_seconds(options.liveness_grace);
  auto tracker = std::make_shared<detect::LivenessTracker>(config);
  for (const auto& agent : store.agents())
    if (agent.identity.agent_id != alerts::CorrelationConfig{}.collector_id)  // incidents' author
      tracker->restore(agent.identity.agent_id, agent.heard.value_or(agent.last_seen), agent.up);
  auto raised = std::make_shared<std::vector<events::Event>>();
  LivenessHooks hooks;
  hooks.observe = [tracker, raised, &clock](const events::Event& event) {
    if (event.sequence & events::kCollectorSequenceBit) return;
    if (auto up = tracker->heard(event.agent_id, clock.now(), announced_interval(event)))
      raised->push_back(std::move(*up));
  };
  hooks.refresh = [tracker, raised](const std::vector<store::AgentRecord>& agents) {
    for (const auto& agent : agents) {
      if (!agent.heard) continue;
      const auto known = tracker->agents().find(agent.identity.agent_id);
      if (known != tracker->agents().end() && *agent.heard <= known->second.last_heard) continue;
      if (known == tracker->agents().end()) {  // first heard of here: take the store's state
        tracker->restore(agent.identity.agent_id, agent.up ? *agent.heard : agent.state_changed,
                         agent.up);
        if (agent.up || *agent.heard <= agent.state_changed) continue;
      }
      if (auto up = tracker->heard(agent.identity.agent_id, *agent.heard))
        raised->push_back(std::move(*up));
    }
  };
  hooks.discard = [raised] { raised->clear(); };
  hooks.tick = [tracker, raised](Timestamp now) {
    auto out = std::move(*raised);
    raised->clear();
    auto down = tracker->check(now);
    std::move(down.begin(), down.end(), std::back_inserter(out));
    return out;
  };
  return hooks;
}

}  // namespace cw::apps
