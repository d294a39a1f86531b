// store/postgres/pg_query.cpp — reading the PostgreSQL event store: filtered queries, the replay
// order (timestamp, agent_id, sequence) by keyset pages, and the agents table. Events name their
// agent by agents.agent_key: every read joins `agents` for the id. Every query reads
// the parent table `events`, so far-off timestamps (partition events_far) are served too.
#include <algorithm>

#include "events/binary_codec.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_store.h"

namespace cw::store {
namespace {

using events::Event;

// As SQLite's: the columns are authoritative, typed data and attributes come from the payload.
Event event_from_row(const pg::Result& rows, int r) {
  Event event;
  event.agent_id = std::string{rows.bytes(r, 0)};
  event.sequence = static_cast<std::uint64_t>(rows.int64(r, 1));
  event.timestamp = from_unix_ns(rows.int64(r, 2));
  event.type = events::event_type_from_wire(static_cast<std::uint8_t>(rows.int16(r, 3)))
                   .value_or(events::EventType::heartbeat);
  event.severity = events::severity_from_wire(static_cast<std::uint8_t>(rows.int16(r, 4)))
                       .value_or(events::Severity::info);
  const auto payload = rows.bytes(r, 5);
  if (!payload.empty()) {
    const std::span bytes{reinterpret_cast<const std::byte*>(payload.data()), payload.size()};
    if (auto decoded = events::decode_batch(bytes, event.agent_id);
        decoded && decoded->size() == 1) {
      event.data = std::move(decoded->front().data);
      event.attributes = std::move(decoded->front().attributes);
    }
  }
  return event;
}

std::string where_clause(const EventFilter& f, pg::Params& p) {
  std::string sql = " WHERE true";
  const auto next = [&p] { return "$" + std::to_string(p.size()); };
  if (f.since) p.int64(unix_ns(*f.since)), sql += " AND timestamp_ns >= " + next();
  if (f.until) p.int64(unix_ns(*f.until)), sql += " AND timestamp_ns < " + next();
  if (f.agent_id) p.bytes(*f.agent_id), sql += " AND agent_id = " + next();
  if (f.type) p.int16(static_cast<std::int16_t>(*f.type)), sql += " AND type = " + next();
  if (f.min_severity)
    p.int16(static_cast<std::int16_t>(*f.min_severity)), sql += " AND severity >= " + next();
  if (f.excluded_type)
    p.int16(static_cast<std::int16_t>(*f.excluded_type)), sql += " AND type <> " + next();
  return sql;
}

// Rows name their agent by its key; its id comes from `agents` (the replay order's ties are by
// id, as on SQLite). Unqualified column names below are those of one table or the other.
constexpr const char* kStoredColumns =
    "SELECT a.agent_id, e.sequence, e.timestamp_ns, e.type, e.severity, e.payload, e.position "
    "FROM events e JOIN agents a ON a.agent_key = e.agent_key";

std::vector<StoredEvent> collect_stored(const pg::Result& rows) {
  std::vector<StoredEvent> out;
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) out.push_back({rows.int64(r, 6), event_from_row(rows, r)});
  return out;
}

std::string limit_clause(const EventFilter& f, pg::Params& p) {
  if (f.limit == 0) return {};
  p.int64(static_cast<std::int64_t>(f.limit));
  return " LIMIT $" + std::to_string(p.size());
}

constexpr const char* kAgentColumns =
    "SELECT agent_id, hostname, addresses, version, first_seen_ns, last_seen_ns, up, "
    "state_changed_ns, last_offset_ns, last_sequence, event_count, alert_count, heartbeat_count, "
    "heard_ns FROM agents";

AgentRecord agent_from_row(const pg::Result& row, int r) {
  AgentRecord a;
  a.identity.agent_id = std::string{row.bytes(r, 0)};
  a.identity.node.hostname = std::string{row.bytes(r, 1)};
  const auto addresses = row.bytes(r, 2);
  for (std::size_t start = 0; start < addresses.size();) {
    auto end = addresses.find(',', start);
    if (end == std::string_view::npos) end = addresses.size();
    if (auto address = IpAddress::parse(addresses.substr(start, end - start)))
      a.identity.node.addresses.push_back(*address);
    start = end + 1;
  }
  a.identity.version = std::string{row.bytes(r, 3)};
  a.first_seen = from_unix_ns(row.int64(r, 4));
  a.last_seen = from_unix_ns(row.int64(r, 5));
  a.up = row.boolean(r, 6);
  a.state_changed = from_unix_ns(row.int64(r, 7));
  if (!row.is_null(r, 8)) a.last_offset = Duration{row.int64(r, 8)};
  a.last_sequence = static_cast<std::uint64_t>(row.int64(r, 9));
  a.event_count = static_cast<std::uint64_t>(row.int64(r, 10));
  a.alert_count = static_cast<std::uint64_t>(row.int64(r, 11));
  a.heartbeat_count = static_cast<std::uint64_t>(row.int64(r, 12));
  if (!row.is_null(r, 13)) a.heard = from_unix_ns(row.int64(r, 13));
  return a;
}

}  // namespace

std::vector<StoredEvent> PgEventStore::query_raw(const EventFilter& filter, bool descending) {
  pg::Params p;
  std::string sql = kStoredColumns + where_clause(filter, p);
  sql += descending ? " ORDER BY timestamp_ns DESC, agent_id DESC, sequence DESC"
                    : " ORDER BY timestamp_ns, agent_id, sequence";
  sql += limit_clause(filter, p);
  return collect_stored(connection().exec(sql, p));
}

std::vector<Event> PgEventStore::query(const EventFilter& filter) {
  const bool newest = filter.latest && filter.limit > 0;
  auto out = with_warm(query_raw(filter, newest), *this, {filter, std::nullopt, newest});
  if (newest) std::reverse(out.begin(), out.end());
  return events_of(std::move(out));
}

std::vector<Event> PgEventStore::read_replay(Timestamp from,
                                             const std::optional<ReplayPosition>& after,
                                             Timestamp until, std::size_t limit) {
  pg::Params p;
  p.int64(unix_ns(after ? after->timestamp : from));
  std::string sql = kStoredColumns;
  if (after) {
    p.bytes(after->agent_id).int64(static_cast<std::int64_t>(after->sequence));
    sql += " WHERE timestamp_ns >= $1 AND (timestamp_ns, agent_id, sequence) > ($1, $2, $3)";
  } else {
    sql += " WHERE timestamp_ns >= $1";
  }
  p.int64(unix_ns(until)).int64(static_cast<std::int64_t>(limit));
  sql += " AND timestamp_ns < $" + std::to_string(p.size() - 1) +
         " ORDER BY timestamp_ns, agent_id, sequence LIMIT $" + std::to_string(p.size());
  const EventFilter span{.since = from, .until = until, .limit = limit};
  return events_of(
      with_warm(collect_stored(connection().exec(sql, p)), *this, {span, after, false}));
}

std::vector<StoredEvent> PgEventStore::page_raw(const PageRequest& request) {
  pg::Params p;
  std::string sql = kStoredColumns + where_clause(request.filter, p);
  if (request.after) {
    p.int64(unix_ns(request.after->timestamp)).bytes(request.after->agent_id);
    p.int64(static_cast<std::int64_t>(request.after->sequence));
    const auto n = p.size();
    const auto at = "$" + std::to_string(n - 2);
    sql += std::string{" AND timestamp_ns "} + (request.descending ? "<= " : ">= ") + at +
           " AND (timestamp_ns, agent_id, sequence) " + (request.descending ? "<" : ">") + " (" +
           at + ", $" + std::to_string(n - 1) + ", $" + std::to_string(n) + ")";
  }
  sql += request.descending ? " ORDER BY timestamp_ns DESC, agent_id DESC, sequence DESC"
                            : " ORDER BY timestamp_ns, agent_id, sequence";
  sql += limit_clause(request.filter, p);
  return collect_stored(connection().exec(sql, p));
}

std::vector<StoredEvent> PgEventStore::page(const PageRequest& request) {
  return with_warm(page_raw(request), *this, {request.filter, request.after, request.descending});
}

std::vector<StoredEvent> PgEventStore::read_after(std::int64_t position,
                                                  const EventFilter& filter) {
  pg::Params p;
  std::string sql = kStoredColumns + where_clause(filter, p);
  p.int64(position);
  sql += " AND position > $" + std::to_string(p.size());
  p.int64(horizon());  // not beyond: a smaller position may still commit above it
  sql += " AND position <= $" + std::to_string(p.size()) + " ORDER BY position";
  sql += limit_clause(filter, p);
  return collect_stored(connection().exec(sql, p));
}

std::optional<StoredEvent> PgEventStore::find(const std::string& agent_id, std::uint64_t sequence) {
  pg::Params p;
  p.bytes(agent_id).int64(static_cast<std::int64_t>(sequence));
  auto found = collect_stored(connection().exec(
      std::string{kStoredColumns} + " WHERE agent_id = $1 AND sequence = $2 LIMIT 1", p));
  if (found.empty()) return find_warm(agent_id, sequence);
  return std::move(found.front());
}

// Positions once given count even when their rows have been rolled away: the sequence keeps
// them. First the sequence, then the locks (the order matters): a writer that took its block
// before the first read holds its lock when the second runs, or has finished by then; one that
// takes it later gets a block above the sequence's value read (pg_store.cpp, kTakeBlock).
std::int64_t PgEventStore::horizon() {
  auto& c = connection();
  const auto last = c.exec("SELECT last_value FROM store_position_blocks", pg::Params{});
  const auto pending = c.exec(
      "SELECT min(((classid::bigint << 32) | objid::bigint) - 4611686018427387904) FROM pg_locks "
      "WHERE locktype = 'advisory' AND objsubid = 1 AND classid::bigint >= 1073741824 AND "
      "database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      pg::Params{});
  auto out = last.int64(0, 0) + kPositionBlock - 1;
  if (!pending.is_null(0, 0)) out = std::min(out, pending.int64(0, 0) - 1);
  return out;
}

std::int64_t PgEventStore::last_position() { return horizon(); }

bool PgEventStore::wait_for_commits(std::chrono::milliseconds timeout) {
  try {
    auto& c = connection();
    if (listening_ != generation_) {
      c.exec(std::string{"LISTEN "} + kStoredChannel);
      listening_ = generation_;
      return true;  // (re)connected: what was committed meanwhile is to be read
    }
    return c.wait_notification(static_cast<int>(timeout.count()));
  } catch (const std::exception&) {
    conn_.reset();  // the next call reconnects and listens again
    throw;
  }
}

std::vector<AgentRecord> PgEventStore::agents() {
  const auto rows = connection().exec(std::string{kAgentColumns} + " ORDER BY agent_id", {});
  std::vector<AgentRecord> out;
  for (int r = 0; r < rows.rows(); ++r) out.push_back(agent_from_row(rows, r));
  return out;
}

std::optional<AgentRecord> PgEventStore::agent(const std::string& agent_id) {
  pg::Params p;
  p.bytes(agent_id);
  const auto rows = connection().exec(std::string{kAgentColumns} + " WHERE agent_id = $1", p);
  if (rows.rows() == 0) return std::nullopt;
  return agent_from_row(rows, 0);
}

}  // namespace cw::store
