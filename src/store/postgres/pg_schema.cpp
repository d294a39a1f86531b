// store/postgres/pg_schema.cpp — the PostgreSQL schema as numbered migrations (table
// chronowatch_schema), and the daily partitions of `events` (docs/store.md).
#include <array>
#include <chrono>
#include <stdexcept>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_store.h"

namespace cw::store {
namespace {

// Two collectors starting together must not migrate or partition at the same time.
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(7433001)";
constexpr std::int64_t kDayNs = 86'400'000'000'000;

// Migration N brings the schema from N-1 to N. Append; never edit one that has shipped.
// Text comes from agents as bytes (ids, host names): bytea keeps every byte and sorts like
// SQLite's BINARY collation, so both engines answer in the same order.
constexpr std::array<const char*, kPgSchemaVersion> kMigrations{
    R"sql(
    CREATE TABLE events (
      agent_id     bytea    NOT NULL,
      sequence     bigint   NOT NULL,
      timestamp_ns bigint   NOT NULL,
      type         smallint NOT NULL,
      severity     smallint NOT NULL,
      payload      bytea    NOT NULL,
      position     bigint   NOT NULL,
      UNIQUE (agent_id, sequence, timestamp_ns)
    ) PARTITION BY RANGE (timestamp_ns);
    CREATE INDEX events_by_time ON events (timestamp_ns, agent_id, sequence);
    CREATE INDEX events_by_position ON events (position);
    CREATE INDEX events_by_type_time ON events (type, timestamp_ns);
    CREATE TABLE events_far PARTITION OF events DEFAULT;
    CREATE TABLE store_positions (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      last      bigint  NOT NULL
    );
    INSERT INTO store_positions VALUES (true, 0);
    CREATE TABLE agents (
      agent_id          bytea   PRIMARY KEY,
      hostname          bytea   NOT NULL DEFAULT '',
      addresses         bytea   NOT NULL DEFAULT '',
      version           bytea   NOT NULL DEFAULT '',
      first_seen_ns     bigint  NOT NULL,
      last_seen_ns      bigint  NOT NULL,
      up                boolean NOT NULL DEFAULT true,
      state_changed_ns  bigint  NOT NULL,
      last_offset_ns    bigint,
      last_offset_at_ns bigint,
      last_sequence     bigint  NOT NULL DEFAULT 0,
      event_count       bigint  NOT NULL DEFAULT 0,
      alert_count       bigint  NOT NULL DEFAULT 0,
      heartbeat_count   bigint  NOT NULL DEFAULT 0,
      heard_ns          bigint
    );
    )sql",
    // 2: the warm tier, one compressed block per agent and hour (store/warm_tier.h).
    R"sql(
    CREATE TABLE events_warm (
      agent_id       bytea   NOT NULL,
      hour_ns        bigint  NOT NULL,
      first_sequence bigint  NOT NULL,
      last_sequence  bigint  NOT NULL,
      count          integer NOT NULL,
      body           bytea   NOT NULL,
      PRIMARY KEY (agent_id, hour_ns)
    );
    CREATE INDEX events_warm_by_hour ON events_warm (hour_ns);
    )sql",
    // 3: store positions from a sequence, in blocks (pg_store.cpp, kTakeBlock), instead of the
    // one counter row whose lock serialised every collector's flushes; they go on after it.
    R"sql(
    CREATE SEQUENCE store_position_blocks MINVALUE 0 INCREMENT BY 1048576;
    SELECT setval('store_position_blocks', (SELECT last FROM store_positions), true);
    DROP TABLE store_positions;
    )sql",
};

int current_version(pg::Connection& c) {
  auto exists = c.exec("SELECT to_regclass('chronowatch_schema') IS NOT NULL", pg::Params{});
  if (!exists.boolean(0, 0)) return 0;
  auto version =
      c.exec("SELECT coalesce(max(version), 0)::bigint FROM chronowatch_schema", pg::Params{});
  return static_cast<int>(version.int64(0, 0));
}

std::int64_t day_of(Timestamp t) {
  const auto ns = unix_ns(t);
  return ns >= 0 ? ns / kDayNs : (ns - kDayNs + 1) / kDayNs;
}

}  // namespace

namespace pg {

std::string day_name(std::int64_t day) {
  const auto date = std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}};
  char name[32];
  std::snprintf(name, sizeof name, "events_%04d%02u%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return name;
}

}  // namespace pg

void PgEventStore::migrate() {
  auto& c = connection();
  c.exec("BEGIN");
  try {
    c.exec(kSchemaLock);
    c.exec(
        "CREATE TABLE IF NOT EXISTS chronowatch_schema (version integer PRIMARY KEY, "
        "applied_at timestamptz NOT NULL DEFAULT now())");
    const int current = current_version(c);
    if (current > kPgSchemaVersion)
      throw std::runtime_error(c.name() + " has schema version " + std::to_string(current) +
                               ", newer than this chronowatch (" +
                               std::to_string(kPgSchemaVersion) + "): upgrade chronowatch");
    for (int version = current + 1; version <= kPgSchemaVersion; ++version) {
      c.exec(kMigrations[static_cast<std::size_t>(version - 1)]);
      c.exec("INSERT INTO chronowatch_schema (version) VALUES (" + std::to_string(version) + ")");
    }
    c.exec("COMMIT");
  } catch (...) {
    if (conn_) conn_.reset();  // the next use reconnects; the transaction died with it
    throw;
  }
}

int PgEventStore::schema_version() { return current_version(connection()); }

std::vector<std::string> PgEventStore::partitions() {
  auto rows = connection().exec(
      "SELECT c.relname::bytea FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      "WHERE i.inhparent = 'events'::regclass AND c.relname <> 'events_far' ORDER BY 1",
      pg::Params{});
  std::vector<std::string> out;
  for (int r = 0; r < rows.rows(); ++r) out.emplace_back(rows.bytes(r, 0));
  return out;
}

void PgEventStore::ensure_partitions(Timestamp now) {
  const auto today = day_of(now);
  if (options_.read_only || today == partitions_day_) return;
  const auto existing = partitions();
  auto& c = connection();
  for (auto day = std::max(today - options_.days_behind, rolled_before_day_);
       day <= today + options_.days_ahead; ++day) {
    const auto name = pg::day_name(day);
    if (std::find(existing.begin(), existing.end(), name) != existing.end()) continue;
    const auto lo = std::to_string(day * kDayNs), hi = std::to_string((day + 1) * kDayNs);
    c.exec("BEGIN");
    try {
      c.exec(kSchemaLock);
      if (!c.exec("SELECT to_regclass('" + name + "') IS NULL", pg::Params{}).boolean(0, 0)) {
        c.exec("COMMIT");  // another collector made it meanwhile
        continue;
      }
      // Rows of that day that arrived before its partition existed move into it, so that the
      // default partition holds none of its range (ATTACH checks that) and a resend still
      // meets its original in the same partition.
      c.exec("CREATE TABLE " + name +
             " (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS); "
             "WITH moved AS (DELETE FROM events_far WHERE timestamp_ns >= " +
             lo + " AND timestamp_ns < " + hi + " RETURNING *) INSERT INTO " + name +
             " SELECT * FROM moved; ALTER TABLE events ATTACH PARTITION " + name +
             " FOR VALUES FROM (" + lo + ") TO (" + hi + "); COMMIT");
    } catch (...) {
      conn_.reset();
      throw;
    }
  }
  partitions_day_ = today;
}

}  // namespace cw::store
