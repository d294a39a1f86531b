// apps/collector/alerting/alerting_store.h — the writer's store, which hands every batch over to
// the alerting thread's feed right after it is committed (the agents' events and the collector's
// own: agent_down/agent_up, incidents). Resent events go too; the engine knows each agent's last
// sequence and ignores them. Each event goes with its store position (0 for a resend), how far
// alerting got is kept by them. On the writer thread, which the feed never blocks: when the feed is
// full, it reads the store's last position (before the commit) so the skipped batches can be
// read back from the store.
#pragma once

#include <spdlog/spdlog.h>

#include <set>

#include "apps/collector/alerting/alert_service.h"
#include "store/event_store.h"

namespace cw::apps {

class AlertingEventStore final : public store::EventStore {
 public:
  AlertingEventStore(store::EventStore& inner, AlertService& alerts)
      : inner_(inner),
        alerts_(alerts),
        agents_kind_(alerts.agents_kind()),
        recorded_(alerts.recorded_agents().begin(), alerts.recorded_agents().end()) {}

  // Both through insert_reporting: alerting keeps the store position it evaluated through.
  std::size_t insert(std::span<const events::Event> events) override {
    return insert_reporting(events).stored();
  }
  store::InsertOutcome insert_reporting(std::span<const events::Event> events) override {
    if (!agents_kind_.empty()) record_agents(events);
    const auto before = position_if_needed(events.size());
    auto outcome = inner_.insert_reporting(events);
    std::vector<std::int64_t> positions(events.size(), 0);
    for (std::size_t i = 0; i < outcome.new_indices.size(); ++i)
      positions[outcome.new_indices[i]] = outcome.positions[i];
    alerts_.feed().push({events.begin(), events.end()}, std::move(positions), outcome.stored(),
                        before);
    return outcome;
  }
  // The writer, when it has nothing to commit: a gap left open by its last commits is closed.
  void idle() {
    if (!alerts_.feed().gap_open()) return;
    try {
      alerts_.feed().close_gap(inner_.last_position());
    } catch (const std::exception& error) {
      spdlog::error("alerts: cannot read the store's last position: {}", error.what());
    }
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
  std::optional<std::int64_t> position_if_needed(std::size_t count) {
    if (!alerts_.feed().needs_position(count)) return std::nullopt;
    try {
      return inner_.last_position();
    } catch (const std::exception&) {  // an engine without positions: the feed keeps the batch
      return std::nullopt;
    }
  }

  // A shared store: before an agent's events are first stored by this collector, a document says
  // so (a restart after a kill -9 reads back that agent's events). Once per agent, not per batch.
  void record_agents(std::span<const events::Event> events) {
    std::vector<store::StateRecord> records;
    std::set<std::string> fresh;
    for (const auto& event : events)
      if (!recorded_.contains(event.agent_id) && fresh.insert(event.agent_id).second)
        records.push_back({agents_kind_, event.agent_id, "{}"});
    if (records.empty()) return;
    try {
      inner_.write_state(records);
      recorded_.merge(fresh);
    } catch (const std::exception& error) {
      spdlog::error("alerts: cannot record {} new agents in the store: {}", records.size(),
                    error.what());
    }
  }

  store::EventStore& inner_;
  AlertService& alerts_;
  const std::string agents_kind_;
  std::set<std::string> recorded_;
};

}  // namespace cw::apps
