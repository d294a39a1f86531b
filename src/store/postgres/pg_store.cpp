// store/postgres/pg_store.cpp — connecting to PostgreSQL and writing to it: per batch, binary
// COPY into a temporary table, one INSERT … SELECT … ORDER BY agent_id, sequence ON CONFLICT DO
// NOTHING RETURNING what was new, the agents' tallies (store/agent_tally.h) upserted the same
// way, one COMMIT (store/postgres/pg_store.h, docs/store.md).
#include "store/postgres/pg_store.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <stdexcept>

#include "events/binary_codec.h"
#include "store/agent_tally.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_copy.h"

namespace cw::store {
namespace {

using events::Event;

Timestamp wall_now() {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

constexpr const char* kTempTables =
    "CREATE TEMP TABLE IF NOT EXISTS incoming_events (agent_id bytea, sequence bigint, "
    "  timestamp_ns bigint, type smallint, severity smallint, payload bytea, ord integer) "
    "  ON COMMIT DELETE ROWS; "
    "CREATE TEMP TABLE IF NOT EXISTS incoming_agents (agent_id bytea, first_seen_ns bigint, "
    "  last_seen_ns bigint, last_sequence bigint, event_count bigint, alert_count bigint, "
    "  heartbeat_count bigint, last_offset_ns bigint, last_offset_at_ns bigint, heard_ns bigint) "
    "  ON COMMIT DELETE ROWS";

// Store positions (the console's live stream resumes by them) must grow in commit order across
// every writer: a batch takes its block from the one counter row, whose lock it holds until it
// commits, so the next batch's block, from any collector, starts after it. $1: the batch size.
constexpr const char* kTakePositions =
    "UPDATE store_positions SET last = last + $1 RETURNING last - $1";

// The order makes two collectors that write the same agents' resends take the rows' locks in
// the same order, so they wait for each other instead of deadlocking. $1: the block's base.
constexpr const char* kInsertEvents =
    "INSERT INTO events (agent_id, sequence, timestamp_ns, type, severity, payload, position) "
    "SELECT agent_id, sequence, timestamp_ns, type, severity, payload, $1 + ord + 1 "
    "FROM incoming_events ORDER BY agent_id, sequence "
    "ON CONFLICT DO NOTHING RETURNING agent_id, sequence, position";

// store/agent_tally.h's merge(), in SQL.
constexpr const char* kUpsertAgents =
    "INSERT INTO agents AS a (agent_id, first_seen_ns, last_seen_ns, state_changed_ns, "
    "  last_sequence, event_count, alert_count, heartbeat_count, last_offset_ns, "
    "  last_offset_at_ns, heard_ns) "
    "SELECT agent_id, first_seen_ns, last_seen_ns, first_seen_ns, last_sequence, event_count, "
    "  alert_count, heartbeat_count, last_offset_ns, last_offset_at_ns, heard_ns "
    "FROM incoming_agents ORDER BY agent_id "
    "ON CONFLICT (agent_id) DO UPDATE SET "
    "  first_seen_ns = least(a.first_seen_ns, excluded.first_seen_ns), "
    "  last_seen_ns = greatest(a.last_seen_ns, excluded.last_seen_ns), "
    "  last_sequence = greatest(a.last_sequence, excluded.last_sequence), "
    "  event_count = a.event_count + excluded.event_count, "
    "  alert_count = a.alert_count + excluded.alert_count, "
    "  heartbeat_count = a.heartbeat_count + excluded.heartbeat_count, "
    "  last_offset_ns = CASE WHEN excluded.last_offset_at_ns IS NOT NULL AND "
    "    (a.last_offset_at_ns IS NULL OR excluded.last_offset_at_ns >= a.last_offset_at_ns) "
    "    THEN excluded.last_offset_ns ELSE a.last_offset_ns END, "
    "  last_offset_at_ns = greatest(a.last_offset_at_ns, excluded.last_offset_at_ns), "
    "  heard_ns = greatest(a.heard_ns, excluded.heard_ns)";

void copy_event(pg::CopyWriter& copy, const Event& event, std::vector<std::byte>& payload,
                std::int32_t ord) {
  payload.clear();
  if (event.data.index() != 0 || !event.attributes.empty())
    events::encode_batch(std::span{&event, 1}, payload);
  copy.row(7);
  copy.bytes(event.agent_id);
  copy.int64(static_cast<std::int64_t>(event.sequence));
  copy.int64(unix_ns(event.timestamp));
  copy.int16(static_cast<std::int16_t>(event.type));
  copy.int16(static_cast<std::int16_t>(event.severity));
  copy.bytes(payload.data(), payload.size());
  copy.int32(ord);
}

void copy_tally(pg::CopyWriter& copy, const AgentTally& t, Timestamp heard) {
  copy.row(10);
  copy.bytes(t.agent_id);
  copy.int64(t.first_seen);
  copy.int64(t.last_seen);
  copy.int64(static_cast<std::int64_t>(t.last_sequence));
  copy.int64(static_cast<std::int64_t>(t.events));
  copy.int64(static_cast<std::int64_t>(t.alerts));
  copy.int64(static_cast<std::int64_t>(t.heartbeats));
  t.offset ? copy.int64(*t.offset) : copy.null();
  t.offset_at ? copy.int64(*t.offset_at) : copy.null();
  t.from_agent ? copy.int64(unix_ns(heard)) : copy.null();  // agent_down/up: not a sign of life
}

// Which events the INSERT stored, ascending, with their positions: all of them (the usual case),
// or those it returned (the one of each (agent, sequence) whose position it got).
InsertOutcome new_events(std::span<const Event> events, const pg::Result& returned,
                         std::int64_t base) {
  InsertOutcome out;
  if (returned.rows() == static_cast<int>(events.size())) {
    for (std::size_t i = 0; i < events.size(); ++i)
      out.new_indices.push_back(i),
          out.positions.push_back(base + static_cast<std::int64_t>(i) + 1);
    return out;
  }
  std::set<std::int64_t> positions;
  for (int r = 0; r < returned.rows(); ++r) positions.insert(returned.int64(r, 2));
  for (const auto position : positions) {
    out.new_indices.push_back(static_cast<std::size_t>(position - base - 1));
    out.positions.push_back(position);
  }
  return out;
}

}  // namespace

PgEventStore::PgEventStore(std::string conninfo, PgOptions options)
    : conninfo_(std::move(conninfo)), options_(options) {
  try {
    if (options_.read_only) {
      const int version = schema_version();
      if (version == 0)
        throw std::runtime_error(
            "no chronowatch schema there (start the collector with --store on it first)");
      if (version != kPgSchemaVersion)
        throw std::runtime_error("schema version " + std::to_string(version) +
                                 " is not this chronowatch's (" + std::to_string(kPgSchemaVersion) +
                                 ")");
      return;
    }
    migrate();
    ensure_partitions(wall_now());
  } catch (const std::exception& error) {
    const auto where = conn_ ? conn_->name() : std::string{"PostgreSQL"};
    throw std::runtime_error("event store " + where + ": " + error.what());
  }
}

PgEventStore::~PgEventStore() = default;

pg::Connection& PgEventStore::connection() {
  // Lost, or left inside a transaction (a failed one); not while a retention pass holds one open.
  if (conn_ && !in_pass_ && !conn_->healthy()) conn_.reset();
  if (!conn_) {
    conn_ = std::make_unique<pg::Connection>(conninfo_);
    ++generation_;
  }
  return *conn_;
}

std::size_t PgEventStore::insert(std::span<const Event> events) {
  return insert_reporting(events).stored();
}

InsertOutcome PgEventStore::insert_reporting(std::span<const Event> events) {
  if (events.empty()) return {};
  try {
    ensure_partitions(wall_now());
    return insert_batch(events);
  } catch (...) {
    conn_.reset();  // a transaction that failed half-way is rolled back by disconnecting
    throw;
  }
}

InsertOutcome PgEventStore::insert_batch(std::span<const Event> events) {
  auto& c = connection();
  if (temp_ready_ != generation_) c.exec(kTempTables), temp_ready_ = generation_;
  pg::CopyWriter rows;
  std::vector<std::byte> payload;
  for (std::size_t i = 0; i < events.size(); ++i)
    copy_event(rows, events[i], payload, static_cast<std::int32_t>(i));
  c.exec("BEGIN");
  c.copy_in("COPY incoming_events FROM STDIN (FORMAT binary)", rows.finish());
  pg::Params size;
  size.int64(static_cast<std::int64_t>(events.size()));
  const auto base = c.exec(kTakePositions, size).int64(0, 0);
  pg::Params at;
  at.int64(base);
  auto outcome = new_events(events, c.exec(kInsertEvents, at), base);
  AgentTallies tallies;
  for (const auto i : outcome.new_indices) tallies.add(events[i]);
  if (outcome.stored() > 0) {
    pg::CopyWriter agents;
    const auto heard = wall_now();
    for (const auto& tally : tallies.all()) copy_tally(agents, tally, heard);
    c.copy_in("COPY incoming_agents FROM STDIN (FORMAT binary)", agents.finish());
    c.exec(kUpsertAgents);
  }
  c.exec("COMMIT");
  return outcome;
}

void PgEventStore::record_agent(const events::AgentIdentity& identity, Timestamp seen) {
  std::string addresses;
  for (const auto& address : identity.node.addresses) {
    if (!addresses.empty()) addresses += ',';
    addresses += address.to_string();
  }
  pg::Params p;
  p.bytes(identity.agent_id).bytes(identity.node.hostname).bytes(addresses);
  p.bytes(identity.version).int64(unix_ns(seen));
  connection().exec(
      "INSERT INTO agents AS a (agent_id, hostname, addresses, version, first_seen_ns, "
      "  last_seen_ns, state_changed_ns, heard_ns) VALUES ($1, $2, $3, $4, $5, $5, $5, $5) "
      "ON CONFLICT (agent_id) DO UPDATE SET hostname = excluded.hostname, "
      "  addresses = excluded.addresses, version = excluded.version, "
      "  last_seen_ns = greatest(a.last_seen_ns, excluded.last_seen_ns), "
      "  heard_ns = greatest(a.heard_ns, excluded.heard_ns)",
      p);
}

void PgEventStore::set_agent_up(const std::string& agent_id, bool up, Timestamp at) {
  pg::Params p;
  p.bytes(agent_id).boolean(up).int64(unix_ns(at));
  connection().exec(
      "INSERT INTO agents AS a (agent_id, up, first_seen_ns, last_seen_ns, state_changed_ns) "
      "VALUES ($1, $2, $3, $3, $3) ON CONFLICT (agent_id) DO UPDATE SET up = excluded.up, "
      "  state_changed_ns = excluded.state_changed_ns",
      p);
}

// A session-level advisory lock: held while this connection lives, so when the collector that
// holds it dies (its connection closes), the next one to ask becomes the sweeper.
bool PgEventStore::lead_liveness() {
  try {
    auto& c = connection();
    if (lock_held_ == generation_) return true;
    if (!c.exec("SELECT pg_try_advisory_lock(7433002)", pg::Params{}).boolean(0, 0)) return false;
    lock_held_ = generation_;
    return true;
  } catch (const std::exception&) {
    conn_.reset();
    return false;
  }
}

}  // namespace cw::store
