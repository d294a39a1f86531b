// store/sqlite_schema.cpp — the SQLite schema as numbered migrations (PRAGMA user_version), and
// where the database lives by default. Tables and indexes are described in docs/store.md.
#include <SQLiteCpp/Transaction.h>

#include <array>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "store/sqlite_store.h"

namespace cw::store {
namespace {

// Migration N brings user_version from N-1 to N. Append; never edit one that has shipped.
constexpr std::array<const char*, kSchemaVersion> kMigrations{
    // 1: events (exactly-once by agent and sequence) with time indexes, and agents.
    R"sql(
    CREATE TABLE events (
      id           INTEGER PRIMARY KEY,
      agent_id     TEXT    NOT NULL,
      sequence     INTEGER NOT NULL,
      timestamp_ns INTEGER NOT NULL,
      type         INTEGER NOT NULL,
      severity     INTEGER NOT NULL,
      payload      BLOB    NOT NULL,
      UNIQUE (agent_id, sequence)
    );
    CREATE INDEX events_by_time ON events (timestamp_ns, agent_id, sequence);
    CREATE INDEX events_by_agent_time ON events (agent_id, timestamp_ns);
    CREATE INDEX events_by_type_time ON events (type, timestamp_ns);
    CREATE TABLE agents (
      agent_id          TEXT PRIMARY KEY,
      hostname          TEXT    NOT NULL DEFAULT '',
      addresses         TEXT    NOT NULL DEFAULT '',
      version           TEXT    NOT NULL DEFAULT '',
      first_seen_ns     INTEGER NOT NULL,
      last_seen_ns      INTEGER NOT NULL,
      up                INTEGER NOT NULL DEFAULT 1,
      state_changed_ns  INTEGER NOT NULL,
      last_offset_ns    INTEGER,
      last_offset_at_ns INTEGER,
      last_sequence     INTEGER NOT NULL DEFAULT 0,
      event_count       INTEGER NOT NULL DEFAULT 0,
      alert_count       INTEGER NOT NULL DEFAULT 0,
      heartbeat_count   INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    )sql",
    // 2: retention tiers. Positions (rowids) must never be reused once the raw rows of the
    // newest position are rolled away: events is rebuilt with AUTOINCREMENT. events_warm holds
    // the warm tier, one compressed block per agent and hour (store/warm_tier.h).
    R"sql(
    CREATE TABLE events_v2 (
      id           INTEGER PRIMARY KEY AUTOINCREMENT,
      agent_id     TEXT    NOT NULL,
      sequence     INTEGER NOT NULL,
      timestamp_ns INTEGER NOT NULL,
      type         INTEGER NOT NULL,
      severity     INTEGER NOT NULL,
      payload      BLOB    NOT NULL,
      UNIQUE (agent_id, sequence)
    );
    INSERT INTO events_v2 SELECT id, agent_id, sequence, timestamp_ns, type, severity, payload
      FROM events;
    DROP TABLE events;
    ALTER TABLE events_v2 RENAME TO events;
    CREATE INDEX events_by_time ON events (timestamp_ns, agent_id, sequence);
    CREATE INDEX events_by_agent_time ON events (agent_id, timestamp_ns);
    CREATE INDEX events_by_type_time ON events (type, timestamp_ns);
    CREATE TABLE events_warm (
      agent_id       TEXT    NOT NULL,
      hour_ns        INTEGER NOT NULL,
      first_sequence INTEGER NOT NULL,
      last_sequence  INTEGER NOT NULL,
      count          INTEGER NOT NULL,
      body           BLOB    NOT NULL,
      PRIMARY KEY (agent_id, hour_ns)
    ) WITHOUT ROWID;
    CREATE INDEX events_warm_by_hour ON events_warm (hour_ns);
    )sql",
};

int user_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

}  // namespace

void migrate(SQLite::Database& db) {
  const int current = user_version(db);
  if (current > kSchemaVersion)
    throw std::runtime_error("database " + db.getFilename() + " has schema version " +
                             std::to_string(current) + ", newer than this chronowatch (" +
                             std::to_string(kSchemaVersion) + "): upgrade chronowatch");
  for (int version = current + 1; version <= kSchemaVersion; ++version) {
    SQLite::Transaction transaction{db};
    db.exec(kMigrations[static_cast<std::size_t>(version - 1)]);
    db.exec("PRAGMA user_version = " + std::to_string(version));
    transaction.commit();
  }
}

std::filesystem::path default_database_path() {
  const char* dir = std::getenv("CW_DATA_DIR");
  const std::filesystem::path base = dir && *dir ? dir : "/var/lib/chronowatch";
  return base / "events.db";
}

}  // namespace cw::store
