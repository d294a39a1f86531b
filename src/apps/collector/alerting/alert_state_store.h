// apps/collector/alerting/alert_state_store.h — the alerting engine's operator state kept in the
// event store (both engines, through the store contract's write_state/read_state): open and
// recent alerts with their acknowledgements and escalations, silences, suppressions made from
// false positives, and the counters, so a restarted collector resumes where it stopped. Only what
// changed since the last save is written, in one transaction. Its own store connection (one per
// thread: the writer keeps its own), used under its own lock.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "alerts/state.h"
#include "store/event_store.h"

namespace cw::apps {

class AlertStateStore {
 public:
  // Throws when it cannot be opened. On a store shared by several collectors (PostgreSQL) the
  // documents are this collector's — its host name and `listen` endpoint — so two collectors do
  // not overwrite each other's, and a collector restarted there resumes its own.
  AlertStateStore(const std::string& store_url, const std::string& listen);

  // What was stored; documents that do not decode are skipped, each said on one line.
  alerts::EngineState load();

  // Writes what changed in `engine` since the last save. `lock_engine` gives the engine's lock:
  // it is held while the changes are copied out, not while they are encoded or written (the API
  // and /metrics wait on that lock: encoding 10 000 alerts under it made scrapes take seconds).
  template <typename Lock>
  void save(alerts::AlertEngine& engine, Lock&& lock_engine) {
    std::lock_guard saving(mutex_);
    Snapshot snapshot;
    {
      auto held = lock_engine();
      snapshot = take(engine);
    }
    std::vector<store::StateRecord> records;
    encode(std::move(snapshot), records);
    write(records);
  }
  std::uint64_t failures() const { return failures_; }

 private:
  std::string kind(const char* base) const;  // "alert", or "alert@HOST LISTEN" when shared
  // What a save copies out of the engine under its lock.
  struct Snapshot {
    alerts::AlertChanges changes;
    std::vector<alerts::Silence> silences;
    std::vector<alerts::Suppression> suppressions;
    alerts::EngineCounters counters;
    std::uint64_t next_id = 0;
  };
  static Snapshot take(alerts::AlertEngine& engine);
  void encode(Snapshot snapshot, std::vector<store::StateRecord>& records);
  void write(const std::vector<store::StateRecord>& records);
  // Records for the documents of `kind` whose text differs from what was last written.
  void diff(const std::string& kind, std::map<std::string, std::string> now,
            std::vector<store::StateRecord>& records);

  std::mutex mutex_;
  std::unique_ptr<store::EventStore> store_;
  std::map<std::string, std::map<std::string, std::string>> written_;  // kind → id → body
  std::uint64_t failures_ = 0;
  std::string scope_;
};

}  // namespace cw::apps
