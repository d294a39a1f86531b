// apps/collector/alerting/alert_state_store.h — the alerting engine's operator state kept in the
// event store (both engines, through the store contract's write_state/read_state): open and
// recent alerts with their acknowledgements and escalations, silences, suppressions made from
// false positives, the counters, the correlation windows and the store position through which
// events were evaluated, so a restarted collector resumes where it stopped (and evaluates what
// was stored after that position first). Only what changed since the last save is written, in
// one transaction: the position and the state it stands for are stored together or not at all. Its
// own store connection (one per thread: the writer keeps its own), used under its own lock.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alerting.h"
#include "alerts/state.h"
#include "store/event_store.h"

namespace cw::apps {

// What a restarted collector resumes from.
struct StoredAlerting {
  alerts::EngineState engine;
  std::optional<alerts::EvaluationProgress> progress;  // none: saved by a version before it
  std::optional<alerts::CorrelationWindows> windows;
  std::vector<std::string> agents;  // shared store: the agents whose events this one stored
};

// What a save takes under the engine's lock besides the engine's own changes.
struct EvaluationMark {
  std::optional<alerts::EvaluationProgress> progress;
};

class AlertStateStore {
 public:
  // Throws when it cannot be opened. On a store shared by several collectors (PostgreSQL) the
  // documents are this collector's — its host name and `listen` endpoint — so two collectors do
  // not overwrite each other's, and a collector restarted there resumes its own.
  AlertStateStore(const std::string& store_url, const std::string& listen);

  // What was stored; documents that do not decode are skipped, each said on one line.
  StoredAlerting load();
  std::int64_t last_position() { return store_->last_position(); }
  bool shared() const { return !scope_.empty(); }
  const std::string& scope() const { return scope_; }  // "HOST LISTEN" when shared, else empty
  // On a shared store, the kind of the documents (one per agent, by id) that say which agents'
  // events this collector stored: the writer writes one before it first stores an agent's events
  // (alerting_store.h), so a restart reads back exactly those agents'. Empty on a store of its own.
  std::string agents_kind() const { return shared() ? kind("alert_agents") : std::string(); }

  // Writes what changed in `engine` since the last save. `lock_engine` gives the engine's lock:
  // it is held while the changes are copied out, not while they are encoded or written (the API
  // and /metrics wait on that lock: encoding 10 000 alerts under it made scrapes take seconds).
  // `mark` says, under that lock, how far evaluation got: saved with the engine's state.
  template <typename Lock, typename Mark>
  void save(alerts::Alerting& alerting, Lock&& lock_engine, Mark&& mark) {
    std::lock_guard saving(mutex_);
    Snapshot snapshot;
    {
      auto held = lock_engine();
      snapshot = take(alerting);
      snapshot.mark = mark();
    }
    const auto progress = snapshot.mark.progress;
    std::vector<store::StateRecord> records;
    encode(std::move(snapshot), records);
    if (write(records) && progress) saved_through_ = progress->evaluated_through;
  }
  // The store position of the last save that was written (0 before one).
  std::int64_t saved_through() const { return saved_through_; }
  std::uint64_t failures() const { return failures_; }

 private:
  std::string kind(const char* base) const;
  alerts::EngineState load_engine();  // "alert", or "alert@HOST LISTEN" when shared
  // What a save copies out of the engine under its lock.
  struct Snapshot {
    alerts::AlertChanges changes;
    std::vector<alerts::Silence> silences;
    std::vector<alerts::Suppression> suppressions;
    alerts::EngineCounters counters;
    std::uint64_t next_id = 0;
    alerts::CorrelationWindows windows;
    EvaluationMark mark;
  };
  static Snapshot take(alerts::Alerting& alerting);
  void encode(Snapshot snapshot, std::vector<store::StateRecord>& records);
  bool write(const std::vector<store::StateRecord>& records);  // false: it failed
  // Records for the documents of `kind` whose text differs from what was last written.
  void diff(const std::string& kind, std::map<std::string, std::string> now,
            std::vector<store::StateRecord>& records);

  std::mutex mutex_;
  std::unique_ptr<store::EventStore> store_;
  std::map<std::string, std::map<std::string, std::string>> written_;  // kind → id → body
  std::map<std::string, store::StateRecord> retry_;  // alert documents a failed write lost
  std::uint64_t failures_ = 0;
  std::atomic<std::int64_t> saved_through_{0};
  std::string scope_;
};

}  // namespace cw::apps
