// store/event_store.h — where events live after the collector receives them: the EventStore
// interface and open_store(url), which picks the engine (SQLite or PostgreSQL) from a URL; its
// filters, agent records and replay positions. This header is all the apps see of the store.
// An implementation belongs to one thread (DESIGN.md: threading by ownership).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/time.h"
#include "events/event.h"
#include "store/retention.h"

namespace cw::store {

struct EventFilter {
  std::optional<Timestamp> since{};  // timestamp >= since
  std::optional<Timestamp> until{};  // timestamp < until
  std::optional<std::string> agent_id{};
  std::optional<events::EventType> type{};
  std::optional<events::Severity> min_severity{};  // this severity or worse
  std::size_t limit = 0;                           // 0: no limit
  bool latest = false;  // with a limit: the newest `limit` events (still returned oldest first)
  std::optional<events::EventType> excluded_type{};  // every type but this one
};

// What the store knows about one agent (the `agents` table).
struct AgentRecord {
  events::AgentIdentity identity;
  Timestamp first_seen;
  Timestamp last_seen;                  // newest event or hello
  bool up = true;                       // false after agent_down until agent_up
  Timestamp state_changed;              // when `up` last changed
  std::optional<Duration> last_offset;  // the latest clock offset it reported
  std::uint64_t last_sequence = 0;
  std::uint64_t event_count = 0;  // events stored
  std::uint64_t alert_count = 0;  // of which severity high or critical
  std::uint64_t heartbeat_count = 0;
  // When a collector last stored something from it or had its hello, by that collector's clock
  // (not the agent's): how the collector that sweeps liveness hears agents connected to the
  // others. Kept by engines shared by several collectors (PostgreSQL); empty on SQLite.
  std::optional<Timestamp> heard{};
  bool operator==(const AgentRecord&) const = default;
};

// A point in replay order: (timestamp, agent_id, sequence), strictly after which reading resumes.
struct ReplayPosition {
  Timestamp timestamp;
  std::string agent_id;
  std::uint64_t sequence = 0;
};

// An event with its store position: the order in which events were stored (strictly increasing
// across commits, whatever the events' own timestamps), which a live stream resumes from.
struct StoredEvent {
  std::int64_t position = 0;
  events::Event event;
};

// What insert_reporting stored: the index in the batch of each event that was new, ascending,
// and its store position (parallel vectors).
struct InsertOutcome {
  std::vector<std::size_t> new_indices;
  std::vector<std::int64_t> positions;
  std::size_t stored() const { return new_indices.size(); }
};

// A keyset page in (timestamp, agent_id, sequence) order, oldest or newest first.
struct PageRequest {
  EventFilter filter;                   // limit 0 means no limit; `latest` is ignored
  std::optional<ReplayPosition> after;  // strictly after this key in the chosen order
  bool descending = false;
};

// A document the collector keeps across restarts besides events (alerting: open alerts, silences,
// suppressions, acknowledgements — see apps/collector/alerting/alert_state_store.h), by (kind, id).
// An empty body in write_state deletes the document.
struct StateRecord {
  std::string kind;
  std::string id;
  std::string body;
  bool operator==(const StateRecord&) const = default;
};

// What one retention pass did (store/retention.h, docs/store.md "Retention tiers").
struct RetentionOutcome {
  std::uint64_t rolled = 0;              // raw events now in warm blocks
  std::uint64_t heartbeats_dropped = 0;  // raw heartbeats past raw retention (not kept warm)
  std::uint64_t blocks_written = 0;      // warm blocks made or rewritten
  std::uint64_t archived_events = 0;     // warm events exported and dropped
  std::vector<std::filesystem::path> archive_files;
};

// Where an event lives: raw rows, or warm blocks (the archive is files, outside the store).
enum class Tier { raw, warm };

class EventStore {
 public:
  virtual ~EventStore() = default;

  // Stores a batch in one transaction; an event whose (agent_id, sequence) is already stored is
  // ignored, so resending is harmless (exactly-once). Returns how many were new. Agents seen in
  // the batch get their counters, last_seen, last_sequence and last_offset updated.
  virtual std::size_t insert(std::span<const events::Event> events) = 0;

  // A hello: records (or refreshes) the agent's identity and marks it seen.
  virtual void record_agent(const events::AgentIdentity& identity, Timestamp seen) = 0;
  // Liveness: the agent went down (false) or came back (true) at `at`.
  virtual void set_agent_up(const std::string& agent_id, bool up, Timestamp at) = 0;

  virtual std::vector<events::Event> query(const EventFilter& filter) = 0;
  virtual std::vector<AgentRecord> agents() = 0;
  virtual std::optional<AgentRecord> agent(const std::string& agent_id) = 0;

  // Up to `limit` events in (timestamp, agent_id, sequence) order, starting strictly after
  // `after` (or at `from` when `after` is empty), with timestamp < `until`.
  virtual std::vector<events::Event> read_replay(Timestamp from,
                                                 const std::optional<ReplayPosition>& after,
                                                 Timestamp until, std::size_t limit) = 0;

  // Whether this process is the one that raises agent_down/agent_up: with several collectors on
  // one store, only one sweeps (PostgreSQL: an advisory lock held while its connection lives).
  // Asked again on every sweep, so another takes over when the holder dies.
  virtual bool lead_liveness() { return true; }
  // Whether other collectors may write to this store at the same time (PostgreSQL).
  virtual bool shared_by_collectors() const { return false; }

  // The reads and the write of the console (web/). An engine that has no store positions keeps
  // these defaults: insert_reporting says "all new" only when insert() stored the whole batch,
  // and the reads throw std::logic_error naming what is missing.
  virtual InsertOutcome insert_reporting(std::span<const events::Event> events);
  virtual std::vector<StoredEvent> page(const PageRequest& request);
  // Events stored after `position` that match `filter` (its limit caps the answer), in store order.
  virtual std::vector<StoredEvent> read_after(std::int64_t position, const EventFilter& filter);
  virtual std::optional<StoredEvent> find(const std::string& agent_id, std::uint64_t sequence);
  virtual std::int64_t last_position();  // 0 when empty
  // Engines that keep the agents' counters in memory between transactions (SQLite with
  // StoreOptions::defer_agent_tallies) write them now; the collector's writer calls this about
  // once a second and when idle. Reads of agents on the same instance see them anyway.
  virtual void flush_agent_tallies() {}
  // Shared stores (PostgreSQL): blocks up to `timeout` until a writer on this store, in any
  // collector, may have committed (a NOTIFY); true when woken, false on timeout. The console's
  // live stream then reads what was committed with read_after (web/console.h).
  virtual bool wait_for_commits(std::chrono::milliseconds timeout);

  // The collector's own state (StateRecord): upserts and deletions in one transaction, and the
  // documents of one kind, by id. The table is made on first use (store/sqlite_state.cpp,
  // store/postgres/pg_state.cpp); an engine without it throws std::logic_error.
  virtual void write_state(std::span<const StateRecord> records);
  virtual std::vector<StateRecord> read_state(const std::string& kind);
  // Retention (store/retention.h): rolls raw events older than plan.raw_before into warm blocks
  // (dropping heartbeats), exports warm hours older than plan.warm_before to files in
  // `archive_dir` and drops them. Every event stays readable in exactly one tier throughout.
  // query, read_replay, page and find read both tiers; read_after (the live stream) raw only.
  // Engines without tiers throw std::logic_error.
  virtual RetentionOutcome apply_retention(const RetentionPlan& plan,
                                           const std::filesystem::path& archive_dir);
  // One tier's events matching `filter` (its limit aside), in (timestamp, agent, sequence) order.
  virtual std::vector<StoredEvent> read_tier(Tier tier, const EventFilter& filter);
};

struct StoreOptions {
  bool read_only = false;  // queries only: never creates nor migrates anything
  // SQLite: the connection that takes the ingest's writes copies the WAL back into the database
  // on a thread of its own, not in its commits (store/sqlite_checkpointer.h). Ignored elsewhere.
  bool checkpoint_thread = false;
  // The clock an engine decides by (PostgreSQL: its partitions' days, when agents were heard);
  // null: the system's.
  Clock* clock = nullptr;
  // SQLite: the agents table's counters (event counts, last seen, last sequence, offset) are kept
  // in memory and written by flush_agent_tallies(), not in every transaction; after a crash they
  // are rebuilt from the events stored after each agent's last_sequence. Ignored elsewhere.
  bool defer_agent_tallies = false;
};

// Opens the store a URL names (docs/store.md):
//   sqlite:PATH (or a bare PATH: what --db gives)     the embedded SQLite file
//   postgresql://… or postgres://… (libpq URI), or libpq keywords ("host=/run/pg dbname=cw"),
//   with PG* environment variables for what the URL leaves out
// Throws std::runtime_error with a message naming the store (never its password) on failure.
std::unique_ptr<EventStore> open_store(const std::string& url, StoreOptions options = {});

// The URL of --store / --db / $CW_STORE / $CW_DB / $CW_DATA_DIR/events.db, first given wins:
// `store` is a URL, `db` a SQLite path (the shorthand).
std::string store_url(const std::string& store, const std::string& db);

// The URL without a password, for logs.
std::string describe_store(const std::string& url);

// The libpq conninfo a PostgreSQL store URL gives (what open_store connects with); empty when the
// URL names another engine.
std::string postgres_conninfo(const std::string& url);

}  // namespace cw::store
