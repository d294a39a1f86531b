// store/sqlite_store.h — the EventStore on an embedded SQLite file (SQLiteCpp): WAL mode,
// versioned schema migrations (PRAGMA user_version), prepared statements, one transaction per
// batch. Layout and tuning: docs/store.md. One instance per thread; other processes may read.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "store/agent_tally.h"
#include "store/event_store.h"
#include "store/warm_tier.h"

namespace cw::store {

struct SqliteOptions {
  bool read_only = false;         // open an existing database for queries only
  bool synchronous_full = false;  // fsync every commit (default NORMAL: safe against a crash of
                                  // the process, may lose the last commits on power loss)
  int busy_timeout_ms = 5000;
  // The collector's writer: its WAL is copied back into the database by a thread of its own
  // (store/sqlite_checkpointer.h); otherwise by SQLite in the commit that finds it long enough.
  bool checkpoint_thread = false;
  int checkpoint_pages = 32768;  // WAL length (4 KiB pages) that starts a checkpoint: 128 MiB
  // The collector's writer: the agents table's counters are kept in memory and written by
  // flush_agent_tallies() (store/sqlite_tallies.cpp), not in every transaction.
  bool defer_agent_tallies = false;
};

inline constexpr int kSchemaVersion = 2;

class SqliteCheckpointer;

class SqliteEventStore final : public EventStore, private WarmSource {
 public:
  // Opens or creates the file (and its directory), applies pending migrations. Throws
  // std::runtime_error with a message naming the file on any failure, or when the file's schema
  // is newer than this build.
  explicit SqliteEventStore(const std::filesystem::path& file, SqliteOptions options = {});
  ~SqliteEventStore() override;  // flushes the agents' counters kept in memory

  std::size_t insert(std::span<const events::Event> events) override;
  void record_agent(const events::AgentIdentity& identity, Timestamp seen) override;
  void set_agent_up(const std::string& agent_id, bool up, Timestamp at) override;
  std::vector<events::Event> query(const EventFilter& filter) override;
  std::vector<AgentRecord> agents() override;
  std::optional<AgentRecord> agent(const std::string& agent_id) override;
  std::vector<events::Event> read_replay(Timestamp from, const std::optional<ReplayPosition>& after,
                                         Timestamp until, std::size_t limit) override;

  InsertOutcome insert_reporting(std::span<const events::Event> events) override;
  std::vector<StoredEvent> page(const PageRequest& request) override;
  std::vector<StoredEvent> read_after(std::int64_t position, const EventFilter& filter) override;
  std::optional<StoredEvent> find(const std::string& agent_id, std::uint64_t sequence) override;
  std::int64_t last_position() override;
  void flush_agent_tallies() override;

  void write_state(std::span<const StateRecord> records) override;
  std::vector<StateRecord> read_state(const std::string& kind) override;
  RetentionOutcome apply_retention(const RetentionPlan& plan,
                                   const std::filesystem::path& archive_dir) override;
  std::vector<StoredEvent> read_tier(Tier tier, const EventFilter& filter) override;

  int schema_version();
  std::uint64_t background_checkpoints() const;  // passes of the checkpoint thread that copied
  std::uint64_t wal_restarts() const;            // commits that found the WAL started over

 private:
  struct Statements;
  void checkpoint_elsewhere(const std::filesystem::path& file, int pages);
  std::unique_lock<std::mutex> write_gate();  // held around each insert (sqlite_checkpointer.h)
  // false: nothing stored. `outcome` (may be null) gets what was new.
  bool insert_if_all_new(std::span<const events::Event> events, InsertOutcome* outcome);
  std::size_t insert_one_by_one(std::span<const events::Event> events, InsertOutcome* outcome);
  void note_new(InsertOutcome* outcome, std::size_t index, std::size_t rows);
  // The agents' counters of a transaction about to commit: written now (in it), or returned as
  // false to be kept in memory once it has committed (keep_tallies).
  bool write_tallies_now(const AgentTallies& tallies);
  void keep_tallies(const AgentTallies& tallies, bool written);
  void write_tally(const AgentTally& tally);
  void write_pending_tallies();
  void load_known_agents();
  void recover_tallies();  // a crash lost the counters of events after an agent's last_sequence
  std::vector<StoredEvent> query_raw(const EventFilter& filter, bool descending);
  std::vector<StoredEvent> page_raw(const PageRequest& request);
  std::vector<std::int64_t> warm_hours(const std::optional<std::string>& agent, std::int64_t lo_ns,
                                       std::int64_t hi_ns, bool descending) override;
  std::vector<WarmBlock> warm_blocks(std::int64_t hour_ns,
                                     const std::optional<std::string>& agent) override;
  std::optional<StoredEvent> find_warm(const std::string& agent_id, std::uint64_t sequence);
  void roll_hour(std::int64_t hour_ns, std::int64_t raw_before, RetentionOutcome& outcome);
  void archive_day(std::int64_t day_ns, const std::filesystem::path& dir,
                   RetentionOutcome& outcome);
  SQLite::Database db_;
  std::unique_ptr<Statements> statements_;
  std::unique_ptr<SqliteCheckpointer> checkpointer_;  // writable: stops before db_ closes
  bool defer_tallies_ = false;
  std::unordered_map<std::string, AgentTally> pending_tallies_;  // not yet in the agents table
  std::unordered_set<std::string> known_agents_;                 // have a row in the agents table
};

// $CW_DATA_DIR/events.db when CW_DATA_DIR is set, else /var/lib/chronowatch/events.db.
std::filesystem::path default_database_path();

// Applies the migrations after `db`'s user_version, each in its own transaction.
void migrate(SQLite::Database& db);

}  // namespace cw::store
