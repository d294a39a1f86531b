// apps/collector/alerting/alerting_store.h — the writer's store, with the alerting service told
// of every batch right after it is committed (the agents' events and the collector's own:
// agent_down/agent_up, incidents). Resent events reach the service too; it knows each agent's
// last sequence and ignores them. Same thread as the writer: the service never blocks it.
#pragma once

#include "apps/collector/alerting/alert_service.h"
#include "store/event_store.h"

namespace cw::apps {

class AlertingEventStore final : public store::EventStore {
 public:
  AlertingEventStore(store::EventStore& inner, AlertService& alerts)
      : inner_(inner), alerts_(alerts) {}

  std::size_t insert(std::span<const events::Event> events) override {
    const auto stored = inner_.insert(events);
    alerts_.on_stored(events);
    return stored;
  }
  store::InsertOutcome insert_reporting(std::span<const events::Event> events) override {
    auto outcome = inner_.insert_reporting(events);
    alerts_.on_stored(events);
    return outcome;
  }
  std::vector<store::StoredEvent> page(const store::PageRequest& request) override {
    return inner_.page(request);
  }
  std::vector<store::StoredEvent> read_after(std::int64_t position,
                                             const store::EventFilter& filter) override {
    return inner_.read_after(position, filter);
  }
  std::optional<store::StoredEvent> find(const std::string& agent_id,
                                         std::uint64_t sequence) override {
    return inner_.find(agent_id, sequence);
  }
  std::int64_t last_position() override { return inner_.last_position(); }
  void record_agent(const events::AgentIdentity& identity, Timestamp seen) override {
    inner_.record_agent(identity, seen);
  }
  void set_agent_up(const std::string& agent_id, bool up, Timestamp at) override {
    inner_.set_agent_up(agent_id, up, at);
  }
  std::vector<events::Event> query(const store::EventFilter& filter) override {
    return inner_.query(filter);
  }
  std::vector<store::AgentRecord> agents() override { return inner_.agents(); }
  std::optional<store::AgentRecord> agent(const std::string& agent_id) override {
    return inner_.agent(agent_id);
  }
  std::vector<events::Event> read_replay(Timestamp from,
                                         const std::optional<store::ReplayPosition>& after,
                                         Timestamp until, std::size_t limit) override {
    return inner_.read_replay(from, after, until, limit);
  }
  // Several collectors on one store: the inner engine says who sweeps liveness.
  bool lead_liveness() override { return inner_.lead_liveness(); }
  bool shared_by_collectors() const override { return inner_.shared_by_collectors(); }

 private:
  store::EventStore& inner_;
  AlertService& alerts_;
};

}  // namespace cw::apps
