// store/sqlite_retention.cpp — retention tiers on SQLite (store/retention.h, docs/store.md): the
// warm tier is the table events_warm (one compressed block per agent and hour); a pass rolls
// each raw hour older than raw_before in one transaction (heartbeats dropped, the rest merged
// into their blocks, the raw rows deleted), then exports each warm day older than warm_before to
// an archive file and deletes its blocks once the file is on disk.
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <set>

#include "store/archive_file.h"
#include "store/sqlite_store.h"

namespace cw::store {
namespace {

constexpr std::int64_t kHourNs = 3'600'000'000'000;
constexpr std::int64_t kDayNs = 24 * kHourNs;

WarmBlock block_from_row(SQLite::Statement& row) {
  WarmBlock b;
  b.agent_id = row.getColumn(0).getString();
  b.hour_ns = row.getColumn(1).getInt64();
  b.first_sequence = static_cast<std::uint64_t>(row.getColumn(2).getInt64());
  b.last_sequence = static_cast<std::uint64_t>(row.getColumn(3).getInt64());
  b.count = static_cast<std::uint32_t>(row.getColumn(4).getInt64());
  const auto body = row.getColumn(5);
  const auto* data = static_cast<const std::byte*>(body.getBlob());
  b.body.assign(data, data + body.getBytes());
  return b;
}

constexpr const char* kBlockColumns =
    "SELECT agent_id, hour_ns, first_sequence, last_sequence, count, body FROM events_warm";

}  // namespace

std::vector<std::int64_t> SqliteEventStore::warm_hours(const std::optional<std::string>& agent,
                                                       std::int64_t lo_ns, std::int64_t hi_ns,
                                                       bool descending) {
  std::string sql = "SELECT DISTINCT hour_ns FROM events_warm WHERE hour_ns >= ?1 AND hour_ns < ?2";
  if (agent) sql += " AND agent_id = ?3";
  sql += descending ? " ORDER BY hour_ns DESC" : " ORDER BY hour_ns";
  SQLite::Statement statement{db_, sql};
  statement.bind(1, static_cast<std::int64_t>(lo_ns));
  statement.bind(2, static_cast<std::int64_t>(hi_ns));
  if (agent) statement.bind(3, *agent);
  std::vector<std::int64_t> out;
  while (statement.executeStep()) out.push_back(statement.getColumn(0).getInt64());
  return out;
}

std::vector<WarmBlock> SqliteEventStore::warm_blocks(std::int64_t hour_ns,
                                                     const std::optional<std::string>& agent) {
  SQLite::Statement statement{db_, std::string{kBlockColumns} + " WHERE hour_ns = ?1" +
                                       (agent ? " AND agent_id = ?2" : "")};
  statement.bind(1, static_cast<std::int64_t>(hour_ns));
  if (agent) statement.bind(2, *agent);
  std::vector<WarmBlock> out;
  while (statement.executeStep()) out.push_back(block_from_row(statement));
  return out;
}

std::optional<StoredEvent> SqliteEventStore::find_warm(const std::string& agent_id,
                                                       std::uint64_t sequence) {
  SQLite::Statement statement{db_, std::string{kBlockColumns} +
                                       " WHERE agent_id = ?1 AND first_sequence <= ?2 AND "
                                       "last_sequence >= ?2"};
  statement.bind(1, agent_id);
  statement.bind(2, static_cast<std::int64_t>(sequence));
  while (statement.executeStep()) {
    const auto block = block_from_row(statement);
    for (auto& e : unpack_events(block.body, block.agent_id))
      if (e.event.sequence == sequence) return std::move(e);
  }
  return std::nullopt;
}

void SqliteEventStore::roll_hour(std::int64_t hour_ns, std::int64_t raw_before,
                                 RetentionOutcome& outcome) {
  const auto end = std::min(hour_ns + kHourNs, raw_before);
  SQLite::Transaction transaction{db_, SQLite::TransactionBehavior::IMMEDIATE};
  SQLite::Statement heartbeats{db_,
                               "DELETE FROM events WHERE type = ?1 AND timestamp_ns >= ?2 AND "
                               "timestamp_ns < ?3"};
  heartbeats.bind(1, static_cast<int>(events::EventType::heartbeat));
  heartbeats.bind(2, static_cast<std::int64_t>(hour_ns));
  heartbeats.bind(3, static_cast<std::int64_t>(end));
  outcome.heartbeats_dropped += static_cast<std::uint64_t>(heartbeats.exec());
  auto rows = query_raw({.since = from_unix_ns(hour_ns), .until = from_unix_ns(end)}, false);
  std::set<std::string> agents;
  for (const auto& row : rows) agents.insert(row.event.agent_id);
  std::vector<WarmBlock> existing;
  for (auto& block : warm_blocks(hour_ns, std::nullopt))
    if (agents.contains(block.agent_id)) existing.push_back(std::move(block));
  outcome.rolled += rows.size();
  SQLite::Statement put{db_,
                        "INSERT OR REPLACE INTO events_warm (agent_id, hour_ns, first_sequence, "
                        "last_sequence, count, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"};
  for (const auto& block : make_blocks(std::move(rows), existing)) {
    put.bind(1, block.agent_id);
    put.bind(2, static_cast<std::int64_t>(block.hour_ns));
    put.bind(3, static_cast<std::int64_t>(block.first_sequence));
    put.bind(4, static_cast<std::int64_t>(block.last_sequence));
    put.bind(5, static_cast<std::int64_t>(block.count));
    put.bind(6, block.body.data(), static_cast<int>(block.body.size()));
    put.exec();
    put.reset();
    ++outcome.blocks_written;
  }
  SQLite::Statement drop{db_, "DELETE FROM events WHERE timestamp_ns >= ?1 AND timestamp_ns < ?2"};
  drop.bind(1, static_cast<std::int64_t>(hour_ns));
  drop.bind(2, static_cast<std::int64_t>(end));
  drop.exec();
  transaction.commit();
}

void SqliteEventStore::archive_day(std::int64_t day_ns, const std::filesystem::path& dir,
                                   RetentionOutcome& outcome) {
  SQLite::Transaction transaction{db_, SQLite::TransactionBehavior::IMMEDIATE};
  SQLite::Statement select{db_, std::string{kBlockColumns} +
                                    " WHERE hour_ns >= ?1 AND hour_ns < ?2 ORDER BY hour_ns, "
                                    "agent_id"};
  select.bind(1, static_cast<std::int64_t>(day_ns));
  select.bind(2, static_cast<std::int64_t>(day_ns + kDayNs));
  std::vector<WarmBlock> blocks;
  while (select.executeStep()) blocks.push_back(block_from_row(select));
  if (blocks.empty()) return;
  outcome.archive_files.push_back(write_archive(dir, from_unix_ns(day_ns), blocks));
  for (const auto& b : blocks) outcome.archived_events += b.count;
  SQLite::Statement drop{db_, "DELETE FROM events_warm WHERE hour_ns >= ?1 AND hour_ns < ?2"};
  drop.bind(1, static_cast<std::int64_t>(day_ns));
  drop.bind(2, static_cast<std::int64_t>(day_ns + kDayNs));
  drop.exec();
  transaction.commit();  // the file is on disk first: a crash here leaves it in both, never none
}

RetentionOutcome SqliteEventStore::apply_retention(const RetentionPlan& plan,
                                                   const std::filesystem::path& archive_dir) {
  RetentionOutcome outcome;
  const auto raw_before = unix_ns(plan.raw_before);
  for (;;) {
    SQLite::Statement oldest{db_, "SELECT min(timestamp_ns) FROM events WHERE timestamp_ns < ?1"};
    oldest.bind(1, static_cast<std::int64_t>(raw_before));
    if (!oldest.executeStep() || oldest.getColumn(0).isNull()) break;
    const auto hour = unix_ns(floor_hour(from_unix_ns(oldest.getColumn(0).getInt64())));
    oldest.reset();
    roll_hour(hour, raw_before, outcome);
  }
  for (;;) {
    SQLite::Statement oldest{db_, "SELECT min(hour_ns) FROM events_warm WHERE hour_ns < ?1"};
    oldest.bind(1, static_cast<std::int64_t>(unix_ns(plan.warm_before)));
    if (!oldest.executeStep() || oldest.getColumn(0).isNull()) break;
    const auto day = unix_ns(floor_day(from_unix_ns(oldest.getColumn(0).getInt64())));
    oldest.reset();
    archive_day(day, archive_dir, outcome);
  }
  return outcome;
}

std::vector<StoredEvent> SqliteEventStore::read_tier(Tier tier, const EventFilter& filter) {
  const auto all = without_limit(filter);
  return tier == Tier::raw ? query_raw(all, false) : read_warm(*this, {all, std::nullopt, false});
}

}  // namespace cw::store
