// store/postgres/pg_store.h — the EventStore on PostgreSQL 15 (libpq): versioned migrations,
// events partitioned by day on the agent's timestamp (made ahead; far-off timestamps go to the
// default partition `events_far`, still read by every query), unique on (agent_key, sequence,
// timestamp_ns) where agent_key is the agent's small integer in `agents`, ingest by binary COPY
// into a temporary table and one INSERT … ON CONFLICT DO NOTHING. Layout: docs/store.md. One
// instance per thread; any number of processes may write.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "store/event_store.h"
#include "store/warm_tier.h"

namespace cw::store {

namespace pg {
class Connection;
std::string day_name(std::int64_t day);  // the daily partition's name: events_YYYYMMDD

// Store positions (the console's live stream resumes by them) come in blocks of kPositionBlock
// from a sequence, with no row lock: writers overlap. Before taking its block a writer holds, to
// its COMMIT, a shared advisory lock whose key (2^62 + last_value + kPositionBlock) is at most its
// block's first position and beyond every block given before; readers stop short of the smallest
// such key (PgEventStore::horizon): a position is read only when no transaction can still commit
// a smaller one, and the horizon never moves back. One row: the block's first position.
inline constexpr const char* kTakePositionBlock =
    "WITH l AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared(last_value + "
    "4611686018428436480) FROM store_position_blocks) "
    "SELECT nextval('store_position_blocks') FROM l";
}  // namespace pg

inline constexpr int kPgSchemaVersion = 5;

struct PgOptions {
  bool read_only = false;  // never migrates nor creates partitions
  int days_ahead = 7;      // daily partitions made ahead of the collector's clock
  int days_behind = 14;    // and behind it (events spooled while an agent was away)
  // Migrates up to this version only (an older one makes the schema a past release left, for
  // the migrations' tests; such a store is then only for SQL, not for this build's methods).
  int migrate_to = kPgSchemaVersion;
  // The collector's clock: the partitions' days, when agents were heard, the ON CONFLICT window
  // after a conflict. Null: the system's.
  Clock* clock = nullptr;
};

// Store positions are given in blocks of this many, one block per 2^20 events of a transaction.
inline constexpr std::int64_t kPositionBlock = 1 << 20;
inline constexpr const char* kStoredChannel = "chronowatch_stored";  // NOTIFY after each ingest

class PgEventStore final : public EventStore, private WarmSource {
 public:
  // Connects (libpq conninfo: a postgresql:// URI or keywords; PG* variables fill the rest),
  // applies pending migrations and makes the partitions around now. Throws std::runtime_error
  // naming the database on failure, or when its schema is newer than this build.
  explicit PgEventStore(std::string conninfo, PgOptions options = {});
  ~PgEventStore() override;

  std::size_t insert(std::span<const events::Event> events) override;
  void record_agent(const events::AgentIdentity& identity, Timestamp seen) override;
  void set_agent_up(const std::string& agent_id, bool up, Timestamp at) override;
  std::vector<events::Event> query(const EventFilter& filter) override;
  std::vector<AgentRecord> agents() override;
  std::optional<AgentRecord> agent(const std::string& agent_id) override;
  std::vector<events::Event> read_replay(Timestamp from, const std::optional<ReplayPosition>& after,
                                         Timestamp until, std::size_t limit) override;
  bool lead_liveness() override;
  bool shared_by_collectors() const override { return true; }
  InsertOutcome insert_reporting(std::span<const events::Event> events) override;
  std::vector<StoredEvent> page(const PageRequest& request) override;
  std::vector<StoredEvent> read_after(std::int64_t position, const EventFilter& filter) override;
  std::optional<StoredEvent> find(const std::string& agent_id, std::uint64_t sequence) override;
  std::int64_t last_position() override;  // the horizon: every position up to it is settled
  bool wait_for_commits(std::chrono::milliseconds timeout) override;  // LISTEN kStoredChannel

  void write_state(std::span<const StateRecord> records) override;
  std::vector<StateRecord> read_state(const std::string& kind) override;
  // Retention: one transaction per day rolled (its hours made into warm blocks, its partition
  // dropped, its far-off rows deleted) and per day archived, under an advisory lock so that two
  // collectors never apply it at once.
  RetentionOutcome apply_retention(const RetentionPlan& plan,
                                   const std::filesystem::path& archive_dir) override;
  std::vector<StoredEvent> read_tier(Tier tier, const EventFilter& filter) override;

  int schema_version();
  // Makes the daily partitions of [day(now) - days_behind, day(now) + days_ahead] that are
  // missing, moving rows of those days out of events_far. Done at open and once a day by insert.
  void ensure_partitions(Timestamp now);
  std::vector<std::string> partitions();  // names of the daily partitions, oldest first

 private:
  pg::Connection& connection();  // reconnects when the last one broke; rolls back a failed one
  void migrate();
  // The largest position below which no transaction, in any collector, can still commit one.
  std::int64_t horizon();
  InsertOutcome insert_batch(std::span<const events::Event> events);
  using AgentKeys = std::unordered_map<std::string, std::int32_t>;
  // The agents.agent_key of every agent in `events` not in keys_, into `fresh`: read, or given
  // to agents new to the store by inserting their rows in the caller's transaction.
  void resolve_keys(pg::Connection& c, std::span<const events::Event> events, AgentKeys& fresh);
  std::vector<StoredEvent> query_raw(const EventFilter& filter, bool descending);
  std::vector<StoredEvent> page_raw(const PageRequest& request);
  std::vector<std::int64_t> warm_hours(const std::optional<std::string>& agent, std::int64_t lo_ns,
                                       std::int64_t hi_ns, bool descending) override;
  std::vector<WarmBlock> warm_blocks(std::int64_t hour_ns,
                                     const std::optional<std::string>& agent) override;
  std::optional<StoredEvent> find_warm(const std::string& agent_id, std::uint64_t sequence);
  void roll_day(std::int64_t day, std::int64_t raw_before, RetentionOutcome& outcome);
  void roll_hour(std::int64_t hour_ns, std::int64_t end_ns, RetentionOutcome& outcome);
  void archive_day(std::int64_t day, const std::filesystem::path& dir, RetentionOutcome& outcome);
  std::string conninfo_;
  PgOptions options_;
  std::unique_ptr<pg::Connection> conn_;
  std::uint64_t generation_ = 0;  // connections made (temp tables and locks are per connection)
  std::uint64_t temp_ready_ = 0, lock_held_ = 0;  // on which generation
  std::unique_ptr<Clock> system_clock_;           // when PgOptions::clock is null
  Clock& clock_;
  MonotonicTime conflicts_until_{};    // ON CONFLICT until then
  std::uint64_t listening_ = 0;        // LISTEN kStoredChannel, on which generation
  AgentKeys keys_;                     // agent id → agents.agent_key, committed (never changes)
  std::uint64_t keys_generation_ = 0;  // the connection they were read on (a new one: read again)
  std::int64_t partitions_day_ = INT64_MIN;
  bool in_pass_ = false;                        // a retention pass's transaction is open on conn_
  std::int64_t rolled_before_day_ = INT64_MIN;  // retention dropped the days before: not remade
};

}  // namespace cw::store
