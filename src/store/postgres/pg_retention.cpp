// store/postgres/pg_retention.cpp — retention tiers on PostgreSQL (store/retention.h,
// docs/store.md): the warm tier is the table events_warm (one compressed block per agent and
// hour). A pass rolls each day older than raw_before in one transaction: its hours become warm
// blocks (heartbeats dropped), its daily partition is dropped and its far-off rows in events_far
// deleted. Then each warm day older than warm_before is exported to an archive file and its
// blocks deleted once the file is on disk. An advisory lock keeps two collectors apart.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include "store/archive_file.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_store.h"

namespace cw::store {
namespace {

constexpr std::int64_t kHourNs = 3'600'000'000'000;
constexpr std::int64_t kDayNs = 24 * kHourNs;
constexpr const char* kRetentionLock = "SELECT pg_advisory_xact_lock(7433003)";
constexpr const char* kBlockColumns =
    "SELECT agent_id, hour_ns, first_sequence, last_sequence, count::bigint, body FROM events_warm";

std::vector<WarmBlock> blocks_of(const pg::Result& rows) {
  std::vector<WarmBlock> out;
  for (int r = 0; r < rows.rows(); ++r) {
    WarmBlock b;
    b.agent_id = std::string{rows.bytes(r, 0)};
    b.hour_ns = rows.int64(r, 1);
    b.first_sequence = static_cast<std::uint64_t>(rows.int64(r, 2));
    b.last_sequence = static_cast<std::uint64_t>(rows.int64(r, 3));
    b.count = static_cast<std::uint32_t>(rows.int64(r, 4));
    const auto body = rows.bytes(r, 5);
    const auto* data = reinterpret_cast<const std::byte*>(body.data());
    b.body.assign(data, data + body.size());
    out.push_back(std::move(b));
  }
  return out;
}

// events_YYYYMMDD → its day number (days since 1970-01-01), or nothing.
std::optional<std::int64_t> partition_day(const std::string& name) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (std::sscanf(name.c_str(), "events_%4d%2u%2u", &y, &m, &d) != 3) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{y}, std::chrono::month{m},
                                         std::chrono::day{d}};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days{date}.time_since_epoch().count();
}

}  // namespace

std::vector<std::int64_t> PgEventStore::warm_hours(const std::optional<std::string>& agent,
                                                   std::int64_t lo_ns, std::int64_t hi_ns,
                                                   bool descending) {
  pg::Params p;
  p.int64(lo_ns).int64(hi_ns);
  std::string sql = "SELECT DISTINCT hour_ns FROM events_warm WHERE hour_ns >= $1 AND hour_ns < $2";
  if (agent) p.bytes(*agent), sql += " AND agent_id = $3";
  sql += descending ? " ORDER BY hour_ns DESC" : " ORDER BY hour_ns";
  const auto rows = connection().exec(sql, p);
  std::vector<std::int64_t> out;
  for (int r = 0; r < rows.rows(); ++r) out.push_back(rows.int64(r, 0));
  return out;
}

std::vector<WarmBlock> PgEventStore::warm_blocks(std::int64_t hour_ns,
                                                 const std::optional<std::string>& agent) {
  pg::Params p;
  p.int64(hour_ns);
  std::string sql = std::string{kBlockColumns} + " WHERE hour_ns = $1";
  if (agent) p.bytes(*agent), sql += " AND agent_id = $2";
  return blocks_of(connection().exec(sql, p));
}

std::optional<StoredEvent> PgEventStore::find_warm(const std::string& agent_id,
                                                   std::uint64_t sequence) {
  pg::Params p;
  p.bytes(agent_id).int64(static_cast<std::int64_t>(sequence));
  const auto blocks = blocks_of(
      connection().exec(std::string{kBlockColumns} +
                            " WHERE agent_id = $1 AND first_sequence <= $2 AND last_sequence >= $2",
                        p));
  for (const auto& block : blocks)
    for (auto& e : unpack_events(block.body, block.agent_id))
      if (e.event.sequence == sequence) return std::move(e);
  return std::nullopt;
}

// Inside roll_day's transaction: the hour's events (heartbeats counted, not kept) merged into
// the blocks of their agents.
void PgEventStore::roll_hour(std::int64_t hour_ns, std::int64_t end_ns, RetentionOutcome& outcome) {
  auto rows = query_raw({.since = from_unix_ns(hour_ns), .until = from_unix_ns(end_ns)}, false);
  const auto heartbeats = std::erase_if(
      rows, [](const StoredEvent& e) { return e.event.type == events::EventType::heartbeat; });
  outcome.heartbeats_dropped += heartbeats;
  if (rows.empty()) return;
  std::set<std::string> agents;
  for (const auto& row : rows) agents.insert(row.event.agent_id);
  std::vector<WarmBlock> existing;
  for (auto& block : warm_blocks(hour_ns, std::nullopt))
    if (agents.contains(block.agent_id)) existing.push_back(std::move(block));
  outcome.rolled += rows.size();
  auto& c = connection();
  for (const auto& block : make_blocks(std::move(rows), existing)) {
    pg::Params p;
    p.bytes(block.agent_id).int64(block.hour_ns);
    p.int64(static_cast<std::int64_t>(block.first_sequence));
    p.int64(static_cast<std::int64_t>(block.last_sequence)).int64(block.count);
    p.bytes({reinterpret_cast<const char*>(block.body.data()), block.body.size()});
    c.exec(
        "INSERT INTO events_warm (agent_id, hour_ns, first_sequence, last_sequence, count, body) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (agent_id, hour_ns) DO UPDATE SET "
        "first_sequence = excluded.first_sequence, last_sequence = excluded.last_sequence, "
        "count = excluded.count, body = excluded.body",
        p);
    ++outcome.blocks_written;
  }
}

void PgEventStore::roll_day(std::int64_t day, std::int64_t raw_before, RetentionOutcome& outcome) {
  auto& c = connection();
  const auto lo = day * kDayNs, hi = std::min((day + 1) * kDayNs, raw_before);
  c.exec("BEGIN");
  in_pass_ = true;
  c.exec(kRetentionLock);
  for (auto hour = lo; hour < hi; hour += kHourNs)
    roll_hour(hour, std::min(hour + kHourNs, hi), outcome);
  const auto name = pg::day_name(day);
  const bool whole_day = hi == (day + 1) * kDayNs;
  if (whole_day &&
      !c.exec("SELECT to_regclass('" + name + "') IS NULL", pg::Params{}).boolean(0, 0))
    c.exec("ALTER TABLE events DETACH PARTITION " + name + "; DROP TABLE " + name);
  pg::Params range;
  range.int64(lo).int64(hi);
  c.exec("DELETE FROM events WHERE timestamp_ns >= $1 AND timestamp_ns < $2", range);
  c.exec("COMMIT");
  in_pass_ = false;
}

void PgEventStore::archive_day(std::int64_t day, const std::filesystem::path& dir,
                               RetentionOutcome& outcome) {
  auto& c = connection();
  c.exec("BEGIN");
  c.exec(kRetentionLock);
  pg::Params range;
  range.int64(day * kDayNs).int64((day + 1) * kDayNs);
  const auto blocks = blocks_of(
      c.exec(std::string{kBlockColumns} + " WHERE hour_ns >= $1 AND hour_ns < $2 ORDER BY hour_ns, "
                                          "agent_id",
             range));
  if (!blocks.empty()) {
    outcome.archive_files.push_back(write_archive(dir, from_unix_ns(day * kDayNs), blocks));
    for (const auto& b : blocks) outcome.archived_events += b.count;
    c.exec("DELETE FROM events_warm WHERE hour_ns >= $1 AND hour_ns < $2", range);
  }
  c.exec("COMMIT");  // the file is on disk first: a crash here leaves it in both, never none
}

RetentionOutcome PgEventStore::apply_retention(const RetentionPlan& plan,
                                               const std::filesystem::path& archive_dir) {
  RetentionOutcome outcome;
  const auto raw_before = unix_ns(plan.raw_before);
  try {
    std::set<std::int64_t> days;
    for (const auto& name : partitions())
      if (const auto day = partition_day(name); day && *day * kDayNs < raw_before)
        days.insert(*day);
    pg::Params cutoff;
    cutoff.int64(raw_before).int64(kDayNs);
    const auto far = connection().exec(
        "SELECT DISTINCT floor(timestamp_ns::numeric / $2)::bigint FROM events_far "
        "WHERE timestamp_ns < $1",
        cutoff);
    for (int r = 0; r < far.rows(); ++r) days.insert(far.int64(r, 0));
    for (const auto day : days) roll_day(day, raw_before, outcome);
    pg::Params warm;
    warm.int64(unix_ns(plan.warm_before)).int64(kDayNs);
    const auto old = connection().exec(
        "SELECT DISTINCT floor(hour_ns::numeric / $2)::bigint FROM events_warm "
        "WHERE hour_ns < $1 ORDER BY 1",
        warm);
    for (int r = 0; r < old.rows(); ++r) archive_day(old.int64(r, 0), archive_dir, outcome);
  } catch (...) {
    in_pass_ = false;
    conn_.reset();  // a pass that failed half-way is rolled back by disconnecting
    throw;
  }
  rolled_before_day_ = std::max(rolled_before_day_, raw_before / kDayNs);
  return outcome;
}

std::vector<StoredEvent> PgEventStore::read_tier(Tier tier, const EventFilter& filter) {
  const auto all = without_limit(filter);
  return tier == Tier::raw ? query_raw(all, false) : read_warm(*this, {all, std::nullopt, false});
}

}  // namespace cw::store
