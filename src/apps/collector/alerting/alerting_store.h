// apps/collector/alerting/alerting_store.h — the writer's store, which hands every batch over to
// the alerting thread's feed right after it is committed (the agents' events and the collector's
// own: agent_down/agent_up, incidents). Resent events go too; the engine knows each agent's last
// sequence and ignores them. On the writer thread, which the feed never blocks: when the feed is
// full, it reads the store's last position (before the commit) so the skipped batches can be
// read back from the store.
#pragma once

#include <spdlog/spdlog.h>

#include "apps/collector/alerting/alert_service.h"
#include "store/event_store.h"

namespace cw::apps {

class AlertingEventStore final : public store::EventStore {
 public:
  AlertingEventStore(store::EventStore& inner, AlertService& alerts)
      : inner_(inner), alerts_(alerts) {}

  std::size_t insert(std::span<const events::Event> events) override {
    const auto before = position_if_needed(events.size());
    const auto stored = inner_.insert(events);
    alerts_.feed().push({events.begin(), events.end()}, stored, before);
    return stored;
  }
  store::InsertOutcome insert_reporting(std::span<const events::Event> events) override {
    const auto before = position_if_needed(events.size());
    auto outcome = inner_.insert_reporting(events);
    alerts_.feed().push({events.begin(), events.end()}, outcome.stored(), before);
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

  store::EventStore& inner_;
  AlertService& alerts_;
};

}  // namespace cw::apps
