// store/postgres/pg_store.cpp — connecting to PostgreSQL and writing to it: per batch, the keys of
// agents new to this collector, one binary COPY straight into `events` in (agent_key, sequence)
// order (after a resend: COPY into a temporary table, then INSERT … SELECT … ORDER BY agent_key,
// sequence ON CONFLICT DO NOTHING), the agents' tallies (store/agent_tally.h) upserted, one COMMIT
// (store/postgres/pg_store.h, docs/store.md).
#include "store/postgres/pg_store.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "events/binary_codec.h"
#include "platform/system_clock.h"
#include "store/agent_tally.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_copy.h"

namespace cw::store {
namespace {

using events::Event;

// temp_buffers (set before the session's first temporary table) holds a whole flush of 100,000
// events in memory: the default 8 MB spilled them to files.
// Only incoming_agents is ON COMMIT DELETE ROWS: a commit that touched any temporary table
// truncates every such table, and truncating one with a bytea column (so a TOAST table and its
// index, rebuilt empty) cost ~3.5 ms per table per commit, ~10 ms of every flush's COMMIT at 10 %
// load. The two with bytea are emptied by the rarer paths that use them.
constexpr const char* kTempTables =
    "SET temp_buffers = '160MB'; "
    "CREATE TEMP TABLE IF NOT EXISTS incoming_events (agent_key integer, sequence bigint, "
    "  timestamp_ns bigint, type smallint, severity smallint, payload bytea, position bigint); "
    "CREATE TEMP TABLE IF NOT EXISTS incoming_agents (agent_key integer, first_seen_ns bigint, "
    "  last_seen_ns bigint, last_sequence bigint, event_count bigint, alert_count bigint, "
    "  heartbeat_count bigint, last_offset_ns bigint, last_offset_at_ns bigint, heard_ns bigint) "
    "  ON COMMIT DELETE ROWS; "
    "CREATE TEMP TABLE IF NOT EXISTS incoming_ids (agent_id bytea, first_ns bigint)";

// The rows of a flush, in the column order of kCopyEvents (and of incoming_events).
constexpr const char* kCopyEvents =
    "COPY events (agent_key, sequence, timestamp_ns, type, severity, payload, position) "
    "FROM STDIN (FORMAT binary)";

// Agents this collector has no key for: their rows made if the store has none (in the order of
// their ids, as the tallies' upsert, so that two collectors wait for each other instead of
// deadlocking), then every one's key read back (a row another collector is making is waited for).
constexpr const char* kNewAgents =
    "INSERT INTO agents (agent_id, first_seen_ns, last_seen_ns, state_changed_ns) "
    "SELECT agent_id, first_ns, first_ns, first_ns FROM incoming_ids ORDER BY agent_id "
    "ON CONFLICT (agent_id) DO NOTHING";
constexpr const char* kAgentKeys =
    "SELECT a.agent_id, a.agent_key::bigint FROM agents a JOIN incoming_ids i USING (agent_id)";

// Usually nothing in a flush is stored already: the rows go straight into `events` by COPY (no
// temporary table, no executor; ON CONFLICT's check of the unique index before each row skipped).
// A resend makes it fail with unique_violation; the flush rolls back to its savepoint and stores
// the chunk through incoming_events with kInsertNew. Rows are sent, and inserted, in (agent_key,
// sequence) order (agent keys are the same in every collector), so two collectors that write the
// same agents' resends take the rows' locks in the same order and wait for each other instead of
// deadlocking. The command tag says how many were new; when that is all of them (the usual case)
// nothing else needs to come back.
constexpr const char* kInsertNew =
    "INSERT INTO events (agent_key, sequence, timestamp_ns, type, severity, payload, position) "
    "SELECT agent_key, sequence, timestamp_ns, type, severity, payload, position "
    "FROM incoming_events ORDER BY agent_key, sequence ON CONFLICT DO NOTHING";

// A batch with events already stored: which positions of its block were taken (one of each
// (agent, sequence), the INSERT's own rows, visible to its transaction).
constexpr const char* kNewPositions =
    "SELECT position FROM events WHERE position >= $1 AND position < $2 ORDER BY position";

// store/agent_tally.h's merge(), in SQL. incoming_agents names agents by key (no bytea in it, see
// kTempTables); every one has its row already (resolve_keys), joined for the id.
constexpr const char* kUpsertAgents =
    "INSERT INTO agents AS a (agent_id, first_seen_ns, last_seen_ns, state_changed_ns, "
    "  last_sequence, event_count, alert_count, heartbeat_count, last_offset_ns, "
    "  last_offset_at_ns, heard_ns) "
    "SELECT g.agent_id, i.first_seen_ns, i.last_seen_ns, i.first_seen_ns, i.last_sequence, "
    "  i.event_count, i.alert_count, i.heartbeat_count, i.last_offset_ns, i.last_offset_at_ns, "
    "  i.heard_ns "
    "FROM incoming_agents i JOIN agents g ON g.agent_key = i.agent_key ORDER BY g.agent_id "
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

void copy_event(pg::CopyWriter& copy, const Event& event, std::int32_t agent_key,
                std::vector<std::byte>& payload, std::int64_t position) {
  payload.clear();
  if (event.data.index() != 0 || !event.attributes.empty())
    events::encode_batch(std::span{&event, 1}, payload);
  copy.row(7);
  copy.int32(agent_key);
  copy.int64(static_cast<std::int64_t>(event.sequence));
  copy.int64(unix_ns(event.timestamp));
  copy.int16(static_cast<std::int16_t>(event.type));
  copy.int16(static_cast<std::int16_t>(event.severity));
  copy.bytes(payload.data(), payload.size());
  copy.int64(position);
}

void copy_tally(pg::CopyWriter& copy, const AgentTally& t, std::int32_t agent_key,
                Timestamp heard) {
  copy.row(10);
  copy.int32(agent_key);
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

// Which events of a chunk the INSERT stored, ascending, with their positions: all of them (the
// usual case), or those whose position is in the table now.
void new_events(pg::Connection& c, std::size_t first, std::size_t count, std::int64_t inserted,
                std::int64_t base, InsertOutcome& out) {
  if (inserted == static_cast<std::int64_t>(count)) {
    for (std::size_t i = 0; i < count; ++i)
      out.new_indices.push_back(first + i),
          out.positions.push_back(base + static_cast<std::int64_t>(i));
    return;
  }
  if (inserted == 0) return;
  pg::Params range;
  range.int64(base).int64(base + static_cast<std::int64_t>(count));
  const auto rows = c.exec(kNewPositions, range);
  for (int r = 0; r < rows.rows(); ++r) {
    const auto position = rows.int64(r, 0);
    out.new_indices.push_back(first + static_cast<std::size_t>(position - base));
    out.positions.push_back(position);
  }
}

// How many rows of incoming_events were new: all of them, or (a resend among them) those that
// ON CONFLICT DO NOTHING kept. A plain INSERT that failed half-way leaves the rows it made as
// dead tuples, so after a conflict (a failover: agents resend what was in flight) the next
// flushes for `kConflictWindow` go straight to ON CONFLICT.
constexpr auto kConflictWindow = std::chrono::seconds(10);

std::int64_t insert_chunk(pg::Connection& c, std::span<const std::byte> rows, MonotonicTime now,
                          MonotonicTime& conflicts_until) {
  if (now >= conflicts_until) {
    try {  // one round trip: the savepoint, the rows, its release
      return c.copy_in(std::string{"SAVEPOINT chunk; "} + kCopyEvents + "; RELEASE SAVEPOINT chunk",
                       rows);
    } catch (const pg::PgError& error) {
      if (error.sqlstate() != "23505" || error.connection_lost()) throw;  // not unique_violation
    }
    c.exec("ROLLBACK TO SAVEPOINT chunk");
    conflicts_until = now + kConflictWindow;
  }
  c.copy_in("TRUNCATE incoming_events; COPY incoming_events FROM STDIN (FORMAT binary)", rows);
  return c.exec(kInsertNew).affected();
}

// The events of [first, first + count) in (agent key, sequence) order: the order of kCopyEvents.
std::vector<std::uint32_t> key_order(std::span<const Event> events, std::size_t first,
                                     std::size_t count, const std::vector<std::int32_t>& keys) {
  std::vector<std::uint32_t> order(count);
  for (std::uint32_t i = 0; i < count; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (keys[a] != keys[b]) return keys[a] < keys[b];
    return events[first + a].sequence < events[first + b].sequence;
  });
  return order;
}

}  // namespace

PgEventStore::PgEventStore(std::string conninfo, PgOptions options)
    : conninfo_(std::move(conninfo)),
      options_(options),
      system_clock_(options.clock ? nullptr : std::make_unique<platform::SystemClock>()),
      clock_(options.clock ? *options.clock : *system_clock_) {
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
    ensure_partitions(clock_.now());
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
    ensure_partitions(clock_.now());
    return insert_batch(events);
  } catch (...) {
    conn_.reset();  // a transaction that failed half-way is rolled back by disconnecting
    throw;
  }
}

InsertOutcome PgEventStore::insert_batch(std::span<const Event> events) {
  auto& c = connection();
  if (temp_ready_ != generation_) c.exec(kTempTables), temp_ready_ = generation_;
  if (keys_generation_ != generation_) keys_.clear(), keys_generation_ = generation_;
  InsertOutcome outcome;
  std::vector<std::byte> payload;
  // One round trip: BEGIN and the first chunk's block of positions.
  auto base = c.exec(std::string{"BEGIN; "} + pg::kTakePositionBlock).text_int64(0, 0);
  AgentKeys fresh;  // given or read in this transaction: kept once it commits
  resolve_keys(c, events, fresh);
  std::string_view last_id;  // into `events` or the tallies, which outlive the lambda's use
  std::int32_t last_key = 0;
  bool have_last = false;
  const auto key_of = [&](std::string_view id) {
    if (have_last && last_id == id) return last_key;  // a batch is mostly runs of one agent
    const std::string owned{id};
    const auto known = keys_.find(owned);
    last_key = known != keys_.end() ? known->second : fresh.at(owned);
    last_id = id, have_last = true;
    return last_key;
  };
  std::vector<std::int32_t> keys;
  for (std::size_t first = 0; first < events.size(); first += kPositionBlock) {
    const auto count = std::min<std::size_t>(kPositionBlock, events.size() - first);
    keys.clear();
    for (std::size_t i = 0; i < count; ++i) keys.push_back(key_of(events[first + i].agent_id));
    // Position base + i for the batch's i-th event, whatever order the rows go in.
    if (first > 0) base = c.exec(pg::kTakePositionBlock, pg::Params{}).int64(0, 0);
    pg::CopyWriter rows;
    for (const auto i : key_order(events, first, count, keys))
      copy_event(rows, events[first + i], keys[i], payload, base + static_cast<std::int64_t>(i));
    const auto inserted = insert_chunk(c, rows.finish(), clock_.monotonic_now(), conflicts_until_);
    new_events(c, first, count, inserted, base, outcome);
  }
  AgentTallies tallies;
  for (const auto i : outcome.new_indices) tallies.add(events[i]);
  if (outcome.stored() > 0) {
    pg::CopyWriter agents;
    const auto heard = clock_.now();
    for (const auto& tally : tallies.all())
      copy_tally(agents, tally, key_of(tally.agent_id), heard);
    // One round trip: the tallies, their upsert, the NOTIFY (delivered at COMMIT to every
    // LISTENing console: the newest position, a wake-up only) and the COMMIT.
    c.copy_in("COPY incoming_agents FROM STDIN (FORMAT binary); " + std::string{kUpsertAgents} +
                  "; SELECT pg_notify('" + std::string{kStoredChannel} + "', '" +
                  std::to_string(outcome.positions.back()) + "'); COMMIT",
              agents.finish());
  } else {
    c.exec("COMMIT");
  }
  keys_.merge(fresh);
  return outcome;
}

void PgEventStore::resolve_keys(pg::Connection& c, std::span<const Event> events,
                                AgentKeys& fresh) {
  std::unordered_map<std::string_view, std::int64_t> unknown;  // id → its earliest timestamp
  for (const auto& event : events) {
    if (keys_.contains(event.agent_id)) continue;
    const auto ns = unix_ns(event.timestamp);
    const auto [at, added] = unknown.try_emplace(event.agent_id, ns);
    if (!added) at->second = std::min(at->second, ns);
  }
  if (unknown.empty()) return;
  pg::CopyWriter ids;
  for (const auto& [id, ns] : unknown) ids.row(2), ids.bytes(id), ids.int64(ns);
  c.exec("DELETE FROM incoming_ids");  // a few rows, rarely: no TRUNCATE (a new file, catalog rows)
  c.copy_in("COPY incoming_ids FROM STDIN (FORMAT binary)", ids.finish());
  c.exec(kNewAgents);
  const auto rows = c.exec(kAgentKeys, pg::Params{});
  for (int r = 0; r < rows.rows(); ++r)
    fresh.emplace(rows.bytes(r, 0), static_cast<std::int32_t>(rows.int64(r, 1)));
  if (fresh.size() != unknown.size())
    throw std::runtime_error("agents without a key after inserting them");  // cannot happen
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
