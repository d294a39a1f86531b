// store/sqlite_state.cpp — the collector's state documents (StateRecord) on SQLite: one table,
// `collector_state`, made on first write (CREATE TABLE IF NOT EXISTS, outside the numbered
// migrations: nothing reads it but the collector that wrote it), upserts in one transaction.
#include <SQLiteCpp/Transaction.h>

#include "store/sqlite_store.h"

namespace cw::store {
namespace {

constexpr const char* kCreate = R"sql(
    CREATE TABLE IF NOT EXISTS collector_state (
      kind TEXT NOT NULL,
      id   TEXT NOT NULL,
      body TEXT NOT NULL,
      PRIMARY KEY (kind, id)
    ) WITHOUT ROWID;
    )sql";

bool has_state_table(SQLite::Database& db) {
  return db.execAndGet(
               "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
               "'collector_state'")
             .getInt() > 0;
}

}  // namespace

void SqliteEventStore::write_state(std::span<const StateRecord> records) {
  if (records.empty()) return;
  db_.exec(kCreate);
  SQLite::Transaction transaction{db_};
  SQLite::Statement upsert(db_,
                           "INSERT INTO collector_state (kind, id, body) VALUES (?, ?, ?) "
                           "ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body");
  SQLite::Statement remove(db_, "DELETE FROM collector_state WHERE kind = ? AND id = ?");
  for (const auto& record : records) {
    auto& statement = record.body.empty() ? remove : upsert;
    statement.bind(1, record.kind);
    statement.bind(2, record.id);
    if (!record.body.empty()) statement.bind(3, record.body);
    statement.exec();
    statement.reset();
  }
  transaction.commit();
}

std::vector<StateRecord> SqliteEventStore::read_state(const std::string& kind) {
  std::vector<StateRecord> out;
  if (!has_state_table(db_)) return out;
  SQLite::Statement select(db_, "SELECT id, body FROM collector_state WHERE kind = ? ORDER BY id");
  select.bind(1, kind);
  while (select.executeStep())
    out.push_back({kind, select.getColumn(0).getString(), select.getColumn(1).getString()});
  return out;
}

}  // namespace cw::store
