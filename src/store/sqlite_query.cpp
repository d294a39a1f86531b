// store/sqlite_query.cpp — reading the SQLite event store: filtered queries, the replay order
// (timestamp, agent_id, sequence) by keyset pages, the agents table, and the rebuild of its
// counters after a crash.
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <string>

#include "events/binary_codec.h"
#include "store/sqlite_statements.h"
#include "store/sqlite_store.h"

namespace cw::store {
namespace {

using events::Event;

// The row's columns are authoritative; typed data and attributes come from the payload (a
// one-event wire batch, docs/wire-format.md). A payload that does not decode leaves them empty.
Event event_from_row(SQLite::Statement& row) {
  Event event;
  event.agent_id = row.getColumn(0).getString();
  event.sequence = static_cast<std::uint64_t>(row.getColumn(1).getInt64());
  event.timestamp = from_unix_ns(row.getColumn(2).getInt64());
  event.type = events::event_type_from_wire(static_cast<std::uint8_t>(row.getColumn(3).getInt()))
                   .value_or(events::EventType::heartbeat);
  event.severity = events::severity_from_wire(static_cast<std::uint8_t>(row.getColumn(4).getInt()))
                       .value_or(events::Severity::info);
  const auto payload = row.getColumn(5);
  if (payload.getBytes() > 0) {
    const std::span bytes{static_cast<const std::byte*>(payload.getBlob()),
                          static_cast<std::size_t>(payload.getBytes())};
    if (auto decoded = events::decode_batch(bytes, event.agent_id);
        decoded && decoded->size() == 1) {
      event.data = std::move(decoded->front().data);
      event.attributes = std::move(decoded->front().attributes);
    }
  }
  return event;
}

std::string where_clause(const EventFilter& f) {
  std::string sql = " WHERE 1";
  if (f.since) sql += " AND timestamp_ns >= :since";
  if (f.until) sql += " AND timestamp_ns < :until";
  if (f.agent_id) sql += " AND agent_id = :agent";
  // With an agent, `+type` keeps SQLite off the type index (it scanned every event of the type,
  // most of the store, for one agent's): the agent's own index is the narrow one.
  if (f.type) sql += f.agent_id ? " AND +type = :type" : " AND type = :type";
  if (f.min_severity) sql += " AND severity >= :severity";
  if (f.excluded_type) sql += " AND type != :excluded";
  return sql;
}

void bind_filter(SQLite::Statement& s, const EventFilter& f) {
  if (f.since) s.bind(":since", static_cast<std::int64_t>(unix_ns(*f.since)));
  if (f.until) s.bind(":until", static_cast<std::int64_t>(unix_ns(*f.until)));
  if (f.agent_id) s.bind(":agent", *f.agent_id);
  if (f.type) s.bind(":type", static_cast<int>(*f.type));
  if (f.min_severity) s.bind(":severity", static_cast<int>(*f.min_severity));
  if (f.excluded_type) s.bind(":excluded", static_cast<int>(*f.excluded_type));
}

constexpr const char* kStoredColumns =
    "SELECT agent_id, sequence, timestamp_ns, type, severity, payload, id FROM events";

std::vector<StoredEvent> collect_stored(SQLite::Statement& statement) {
  std::vector<StoredEvent> out;
  while (statement.executeStep()) {
    const auto position = statement.getColumn(6).getInt64();
    out.push_back({position, event_from_row(statement)});
  }
  return out;
}

AgentRecord agent_from_row(SQLite::Statement& row) {
  AgentRecord a;
  a.identity.agent_id = row.getColumn(0).getString();
  a.identity.node.hostname = row.getColumn(1).getString();
  const std::string addresses = row.getColumn(2).getString();
  for (std::size_t start = 0; start < addresses.size();) {
    auto end = addresses.find(',', start);
    if (end == std::string::npos) end = addresses.size();
    if (auto address = IpAddress::parse(std::string_view{addresses}.substr(start, end - start)))
      a.identity.node.addresses.push_back(*address);
    start = end + 1;
  }
  a.identity.version = row.getColumn(3).getString();
  a.first_seen = from_unix_ns(row.getColumn(4).getInt64());
  a.last_seen = from_unix_ns(row.getColumn(5).getInt64());
  a.up = row.getColumn(6).getInt() != 0;
  a.state_changed = from_unix_ns(row.getColumn(7).getInt64());
  if (!row.getColumn(8).isNull()) a.last_offset = Duration{row.getColumn(8).getInt64()};
  a.last_sequence = static_cast<std::uint64_t>(row.getColumn(9).getInt64());
  a.event_count = static_cast<std::uint64_t>(row.getColumn(10).getInt64());
  a.alert_count = static_cast<std::uint64_t>(row.getColumn(11).getInt64());
  a.heartbeat_count = static_cast<std::uint64_t>(row.getColumn(12).getInt64());
  return a;
}

constexpr const char* kAgentColumns =
    "SELECT agent_id, hostname, addresses, version, first_seen_ns, last_seen_ns, up, "
    "state_changed_ns, last_offset_ns, last_sequence, event_count, alert_count, heartbeat_count "
    "FROM agents";

}  // namespace

std::vector<StoredEvent> SqliteEventStore::query_raw(const EventFilter& filter, bool descending) {
  std::string sql = kStoredColumns + where_clause(filter);
  sql += descending ? " ORDER BY timestamp_ns DESC, agent_id DESC, sequence DESC"
                    : " ORDER BY timestamp_ns, agent_id, sequence";
  if (filter.limit > 0) sql += " LIMIT :limit";
  SQLite::Statement statement{db_, sql};
  bind_filter(statement, filter);
  if (filter.limit > 0) statement.bind(":limit", static_cast<std::int64_t>(filter.limit));
  return collect_stored(statement);
}

std::vector<Event> SqliteEventStore::query(const EventFilter& filter) {
  const bool newest = filter.latest && filter.limit > 0;
  auto out = with_warm(query_raw(filter, newest), *this, {filter, std::nullopt, newest});
  if (newest) std::reverse(out.begin(), out.end());
  return events_of(std::move(out));
}

std::vector<Event> SqliteEventStore::read_replay(Timestamp from,
                                                 const std::optional<ReplayPosition>& after,
                                                 Timestamp until, std::size_t limit) {
  std::string sql = kStoredColumns;
  sql += after ? " WHERE (timestamp_ns, agent_id, sequence) > (:t, :agent, :sequence)"
               : " WHERE timestamp_ns >= :t";
  sql += " AND timestamp_ns < :until ORDER BY timestamp_ns, agent_id, sequence LIMIT :limit";
  SQLite::Statement statement{db_, sql};
  statement.bind(":t", static_cast<std::int64_t>(unix_ns(after ? after->timestamp : from)));
  if (after) {
    statement.bind(":agent", after->agent_id);
    statement.bind(":sequence", static_cast<std::int64_t>(after->sequence));
  }
  statement.bind(":until", static_cast<std::int64_t>(unix_ns(until)));
  statement.bind(":limit", static_cast<std::int64_t>(limit));
  const EventFilter span{.since = from, .until = until, .limit = limit};
  return events_of(with_warm(collect_stored(statement), *this, {span, after, false}));
}

std::vector<StoredEvent> SqliteEventStore::page_raw(const PageRequest& request) {
  const auto& filter = request.filter;
  std::string sql = kStoredColumns + where_clause(filter);
  if (request.after)
    sql += request.descending ? " AND (timestamp_ns, agent_id, sequence) < (:t, :a, :s)"
                              : " AND (timestamp_ns, agent_id, sequence) > (:t, :a, :s)";
  sql += request.descending ? " ORDER BY timestamp_ns DESC, agent_id DESC, sequence DESC"
                            : " ORDER BY timestamp_ns, agent_id, sequence";
  if (filter.limit > 0) sql += " LIMIT :limit";
  SQLite::Statement statement{db_, sql};
  bind_filter(statement, filter);
  if (request.after) {
    statement.bind(":t", static_cast<std::int64_t>(unix_ns(request.after->timestamp)));
    statement.bind(":a", request.after->agent_id);
    statement.bind(":s", static_cast<std::int64_t>(request.after->sequence));
  }
  if (filter.limit > 0) statement.bind(":limit", static_cast<std::int64_t>(filter.limit));
  return collect_stored(statement);
}

std::vector<StoredEvent> SqliteEventStore::page(const PageRequest& request) {
  return with_warm(page_raw(request), *this, {request.filter, request.after, request.descending});
}

std::vector<StoredEvent> SqliteEventStore::read_after(std::int64_t position,
                                                      const EventFilter& filter) {
  std::string sql = kStoredColumns + where_clause(filter) + " AND id > :position ORDER BY id";
  if (filter.limit > 0) sql += " LIMIT :limit";
  SQLite::Statement statement{db_, sql};
  bind_filter(statement, filter);
  statement.bind(":position", static_cast<std::int64_t>(position));
  if (filter.limit > 0) statement.bind(":limit", static_cast<std::int64_t>(filter.limit));
  return collect_stored(statement);
}

std::optional<StoredEvent> SqliteEventStore::find(const std::string& agent_id,
                                                  std::uint64_t sequence) {
  SQLite::Statement statement{
      db_, std::string{kStoredColumns} + " WHERE agent_id = :agent AND sequence = :sequence"};
  statement.bind(":agent", agent_id);
  statement.bind(":sequence", static_cast<std::int64_t>(sequence));
  auto found = collect_stored(statement);
  if (found.empty()) return find_warm(agent_id, sequence);
  return std::move(found.front());
}

// Positions are never reused (AUTOINCREMENT): the last one given counts even once rolled away.
std::int64_t SqliteEventStore::last_position() {
  return db_
      .execAndGet(
          "SELECT max(coalesce((SELECT max(id) FROM events), 0), "
          "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0))")
      .getInt64();
}

std::vector<AgentRecord> SqliteEventStore::agents() {
  flush_agent_tallies();
  SQLite::Statement statement{db_, std::string{kAgentColumns} + " ORDER BY agent_id"};
  std::vector<AgentRecord> out;
  while (statement.executeStep()) out.push_back(agent_from_row(statement));
  return out;
}

std::optional<AgentRecord> SqliteEventStore::agent(const std::string& agent_id) {
  flush_agent_tallies();
  SQLite::Statement statement{db_, std::string{kAgentColumns} + " WHERE agent_id = ?1"};
  statement.bind(1, agent_id);
  if (!statement.executeStep()) return std::nullopt;
  return agent_from_row(statement);
}

// After a crash of a writer that kept the agents' counters in memory (sqlite_tallies.cpp): each
// agent's own events after its last_sequence were stored but not counted. They are counted now,
// in one transaction; per agent, by its (agent_id, sequence) index. Collector-made events have
// sequences with the top bit set (negative here) and were counted when they were stored.
void SqliteEventStore::recover_tallies() {
  // Read and written in one write transaction: no other writer commits in between.
  SQLite::Transaction transaction{db_, SQLite::TransactionBehavior::IMMEDIATE};
  std::vector<std::pair<std::string, std::int64_t>> stored;
  {
    SQLite::Statement select{db_, "SELECT agent_id, last_sequence FROM agents"};
    while (select.executeStep())
      stored.emplace_back(select.getColumn(0).getString(), select.getColumn(1).getInt64());
  }
  SQLite::Statement after{db_, std::string{kStoredColumns} +
                                   " WHERE agent_id = ?1 AND sequence > ?2 ORDER BY sequence"};
  std::vector<Event> uncounted;
  for (const auto& [agent, last_sequence] : stored) {
    after.bind(1, agent);
    after.bind(2, last_sequence);
    while (after.executeStep()) uncounted.push_back(event_from_row(after));
    after.reset();
  }
  if (uncounted.empty()) return;
  AgentTallies tallies;
  for (const auto& event : uncounted) tallies.add(event);
  for (const auto& tally : tallies.all()) write_tally(tally);
  transaction.commit();
}

}  // namespace cw::store
