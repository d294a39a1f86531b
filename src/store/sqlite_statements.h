// store/sqlite_statements.h — the prepared statements of SqliteEventStore (internal), compiled
// once per connection and reused for every batch.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <string>

#include "store/sqlite_store.h"

namespace cw::store {

inline constexpr std::size_t kRowsPerStatement = 64;  // events per multi-row INSERT
inline constexpr int kColumnsPerRow = 6;              // bound parameters per event

inline std::string insert_events_sql(std::size_t rows) {
  std::string sql =
      "INSERT OR IGNORE INTO events (agent_id, sequence, timestamp_ns, type, severity, payload) "
      "VALUES ";
  for (std::size_t row = 0; row < rows; ++row) sql += row == 0 ? "(?,?,?,?,?,?)" : ",(?,?,?,?,?,?)";
  return sql;
}

// Runs a bound statement and resets it for its next use, also when it fails: a statement left
// stepped refuses every later bind (SQLITE_MISUSE), so one failed write (disk full) would
// otherwise fail every write after it until the collector restarted.
inline int exec_and_reset(SQLite::Statement& statement) {
  try {
    const int changed = statement.exec();
    statement.reset();
    return changed;
  } catch (...) {
    statement.tryReset();
    throw;
  }
}

struct SqliteEventStore::Statements {
  explicit Statements(SQLite::Database& db)
      : insert_event(db,
                     "INSERT OR IGNORE INTO events "
                     "(agent_id, sequence, timestamp_ns, type, severity, payload) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        insert_events(db, insert_events_sql(kRowsPerStatement)),
        tally_agent(
            db,
            "INSERT INTO agents (agent_id, first_seen_ns, last_seen_ns, state_changed_ns, "
            "  last_sequence, event_count, alert_count, heartbeat_count, last_offset_ns, "
            "  last_offset_at_ns) "
            "VALUES (?1, ?2, ?3, ?2, ?4, ?5, ?6, ?7, ?8, ?9) "
            "ON CONFLICT (agent_id) DO UPDATE SET "
            "  first_seen_ns = min(first_seen_ns, excluded.first_seen_ns), "
            "  last_seen_ns = max(last_seen_ns, excluded.last_seen_ns), "
            "  last_sequence = max(last_sequence, excluded.last_sequence), "
            "  event_count = event_count + excluded.event_count, "
            "  alert_count = alert_count + excluded.alert_count, "
            "  heartbeat_count = heartbeat_count + excluded.heartbeat_count, "
            "  last_offset_ns = CASE WHEN excluded.last_offset_at_ns IS NOT NULL AND "
            "    (last_offset_at_ns IS NULL OR excluded.last_offset_at_ns >= last_offset_at_ns) "
            "    THEN excluded.last_offset_ns ELSE last_offset_ns END, "
            "  last_offset_at_ns = max(coalesce(last_offset_at_ns, excluded.last_offset_at_ns), "
            "    coalesce(excluded.last_offset_at_ns, last_offset_at_ns))"),
        record_agent(db,
                     "INSERT INTO agents (agent_id, hostname, addresses, version, first_seen_ns, "
                     "  last_seen_ns, state_changed_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5) "
                     "ON CONFLICT (agent_id) DO UPDATE SET hostname = excluded.hostname, "
                     "  addresses = excluded.addresses, version = excluded.version, "
                     "  last_seen_ns = max(last_seen_ns, excluded.last_seen_ns)"),
        set_up(db,
               "INSERT INTO agents (agent_id, up, first_seen_ns, last_seen_ns, state_changed_ns) "
               "VALUES (?1, ?2, ?3, ?3, ?3) "
               "ON CONFLICT (agent_id) DO UPDATE SET up = excluded.up, "
               "  state_changed_ns = excluded.state_changed_ns") {}

  SQLite::Statement insert_event;
  SQLite::Statement insert_events;  // kRowsPerStatement rows
  SQLite::Statement tally_agent;
  SQLite::Statement record_agent;
  SQLite::Statement set_up;
};

}  // namespace cw::store
