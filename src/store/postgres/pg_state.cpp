// store/postgres/pg_state.cpp — the collector's state documents (StateRecord) on PostgreSQL: one
// table, `collector_state`, made on first write (CREATE TABLE IF NOT EXISTS under an advisory
// lock, outside the numbered migrations), upserts and deletions in one transaction.
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_store.h"

namespace cw::store {
namespace {

// Two collectors writing their first state together must not both create the table.
constexpr const char* kCreate =
    "SELECT pg_advisory_xact_lock(7217009514); "
    "CREATE TABLE IF NOT EXISTS collector_state (kind text NOT NULL, id text NOT NULL, "
    "body text NOT NULL, PRIMARY KEY (kind, id))";

}  // namespace

void PgEventStore::write_state(std::span<const StateRecord> records) {
  if (records.empty()) return;
  auto& c = connection();
  c.exec("BEGIN");
  try {
    c.exec(kCreate);
    for (const auto& record : records) {
      pg::Params p;
      p.bytes(record.kind).bytes(record.id);
      if (record.body.empty()) {
        c.exec(
            "DELETE FROM collector_state WHERE kind = convert_from($1, 'UTF8') AND "
            "id = convert_from($2, 'UTF8')",
            p);
        continue;
      }
      p.bytes(record.body);
      c.exec(
          "INSERT INTO collector_state (kind, id, body) VALUES (convert_from($1, 'UTF8'), "
          "convert_from($2, 'UTF8'), convert_from($3, 'UTF8')) ON CONFLICT (kind, id) DO "
          "UPDATE SET body = excluded.body",
          p);
    }
    c.exec("COMMIT");
  } catch (...) {
    if (conn_) conn_.reset();  // the next use reconnects; the transaction died with it
    throw;
  }
}

std::vector<StateRecord> PgEventStore::read_state(const std::string& kind) {
  std::vector<StateRecord> out;
  auto& c = connection();
  const auto exists = c.exec("SELECT to_regclass('collector_state') IS NOT NULL", pg::Params{});
  if (!exists.boolean(0, 0)) return out;
  pg::Params p;
  p.bytes(kind);
  const auto rows = c.exec(
      "SELECT id, body FROM collector_state WHERE kind = convert_from($1, 'UTF8') ORDER BY id", p);
  for (int r = 0; r < rows.rows(); ++r)
    out.push_back({kind, std::string(rows.bytes(r, 0)), std::string(rows.bytes(r, 1))});
  return out;
}

}  // namespace cw::store
