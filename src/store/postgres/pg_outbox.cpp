// store/postgres/pg_outbox.cpp — the shared alert outbox's statements (store/postgres/pg_outbox.h).
#include "store/postgres/pg_outbox.h"

#include "store/postgres/pg_connection.h"

namespace cw::store {
namespace {

// The database server's clock in nanoseconds: leases and back-off are judged by one clock.
#define CW_SERVER_NOW "(extract(epoch FROM clock_timestamp()) * 1000000000)::bigint"

constexpr const char* kAdd =
    "INSERT INTO alert_outbox (receiver, notification_id, payload, created_ns, next_attempt_ns) "
    "VALUES ($1, $2, $3, $4, " CW_SERVER_NOW ") ON CONFLICT (receiver, notification_id) DO NOTHING";

// Only the receiver's oldest waiting row may be claimed (its notifications go in order); SKIP
// LOCKED: a collector claiming it at this moment makes this claim find nothing, not wait. The
// lock re-checks the row as committed, so a claim or a delivery made meanwhile is seen.
constexpr const char* kClaim =
    "WITH head AS (SELECT seq FROM alert_outbox WHERE receiver = $1 AND delivered_ns IS NULL "
    "ORDER BY seq LIMIT 1), "
    "due AS (SELECT o.seq, o.claimed_by AS previous, o.claimed_until_ns AS previous_until "
    "FROM alert_outbox o JOIN head USING (seq) WHERE o.delivered_ns IS NULL AND "
    "o.next_attempt_ns <= " CW_SERVER_NOW
    " AND (o.claimed_until_ns IS NULL OR o.claimed_until_ns <= " CW_SERVER_NOW
    " OR o.claimed_by = $2) FOR UPDATE OF o SKIP LOCKED) "
    "UPDATE alert_outbox o SET claimed_by = $2, claimed_until_ns = " CW_SERVER_NOW
    " + $3 FROM due WHERE o.seq = due.seq "
    "RETURNING o.seq, o.notification_id, o.payload, o.created_ns, o.attempts, o.next_attempt_ns, "
    "o.last_error, coalesce(due.previous, ''::bytea), due.previous_until IS NOT NULL";

constexpr const char* kDelivered =
    "UPDATE alert_outbox SET delivered_ns = " CW_SERVER_NOW
    ", payload = ''::bytea, claimed_by = NULL, claimed_until_ns = NULL "
    "WHERE seq = $1 AND delivered_ns IS NULL";

// Only by the claim's holder: a collector whose lease ended meanwhile leaves the new one's alone.
constexpr const char* kFailed =
    "UPDATE alert_outbox SET attempts = attempts + 1, next_attempt_ns = " CW_SERVER_NOW
    " + $2, last_error = $3, claimed_by = NULL, claimed_until_ns = NULL "
    "WHERE seq = $1 AND claimed_by = $4 AND delivered_ns IS NULL";

constexpr const char* kWaiting =
    "SELECT count(*)::bigint FROM alert_outbox WHERE receiver = $1 AND delivered_ns IS NULL";

constexpr const char* kPurge =
    "DELETE FROM alert_outbox WHERE delivered_ns IS NOT NULL AND delivered_ns < " CW_SERVER_NOW
    " - $1";

#undef CW_SERVER_NOW

std::int64_t ns(Duration d) { return static_cast<std::int64_t>(d.count()); }

}  // namespace

PgOutbox::PgOutbox(std::string conninfo, PgOutboxOptions options)
    : conninfo_(std::move(conninfo)), options_(std::move(options)) {
  try {
    conn_ = std::make_unique<pg::Connection>(conninfo_);
    name_ = "PostgreSQL " + conn_->name();
    if (!conn_->exec("SELECT to_regclass('alert_outbox') IS NOT NULL", pg::Params{}).boolean(0, 0))
      throw std::runtime_error("no alert_outbox table (schema older than 5: open the store first)");
  } catch (const std::exception& error) {
    throw std::runtime_error("alert outbox " + (name_.empty() ? "PostgreSQL" : name_) + ": " +
                             error.what());
  }
}

PgOutbox::~PgOutbox() = default;

template <typename Body>
auto PgOutbox::with_connection(Body&& body) {
  if (conn_ && !conn_->healthy()) conn_.reset();
  if (!conn_) conn_ = std::make_unique<pg::Connection>(conninfo_);
  try {
    return body(*conn_);
  } catch (...) {
    conn_.reset();  // a transaction left open died with it; the next call reconnects
    throw;
  }
}

void PgOutbox::add(const std::vector<OutboxItem>& items) {
  if (items.empty()) return;
  std::lock_guard lock(mutex_);
  with_connection([&](pg::Connection& c) {
    c.exec("BEGIN");
    for (const auto& item : items) {
      pg::Params p;
      p.bytes(item.receiver)
          .bytes(item.notification_id)
          .bytes(item.payload)
          .int64(unix_ns(item.created));
      c.exec(kAdd, p);
    }
    c.exec("COMMIT");
  });
  purge(items.front().created);
}

void PgOutbox::purge(Timestamp now) {
  if (now - last_purge_ < std::chrono::minutes(1)) return;
  last_purge_ = now;
  with_connection([&](pg::Connection& c) {
    pg::Params p;
    p.int64(ns(options_.keep));
    c.exec(kPurge, p);
  });
}

std::optional<OutboxItem> PgOutbox::claim(const std::string& receiver, Timestamp) {
  std::lock_guard lock(mutex_);
  return with_connection([&](pg::Connection& c) -> std::optional<OutboxItem> {
    pg::Params p;
    p.bytes(receiver).bytes(options_.owner).int64(ns(options_.lease));
    const auto rows = c.exec(kClaim, p);
    if (rows.rows() == 0) return std::nullopt;
    OutboxItem item;
    item.id = rows.int64(0, 0);
    item.receiver = receiver;
    item.notification_id = rows.bytes(0, 1);
    item.payload = rows.bytes(0, 2);
    item.created = from_unix_ns(rows.int64(0, 3));
    item.attempts = static_cast<int>(rows.int64(0, 4));
    item.next_attempt = from_unix_ns(rows.int64(0, 5));
    item.last_error = rows.bytes(0, 6);
    if (rows.boolean(0, 8) && rows.bytes(0, 7) != options_.owner)
      item.taken_over_from = rows.bytes(0, 7);
    return item;
  });
}

void PgOutbox::delivered(const OutboxItem& item) {
  std::lock_guard lock(mutex_);
  with_connection([&](pg::Connection& c) {
    pg::Params p;
    p.int64(item.id);
    c.exec(kDelivered, p);
  });
}

void PgOutbox::failed(const OutboxItem& item, Timestamp, Duration retry_in,
                      const std::string& error) {
  std::lock_guard lock(mutex_);
  with_connection([&](pg::Connection& c) {
    pg::Params p;
    p.int64(item.id).int64(ns(retry_in)).bytes(error).bytes(options_.owner);
    c.exec(kFailed, p);
  });
}

std::size_t PgOutbox::waiting(const std::string& receiver) {
  std::lock_guard lock(mutex_);
  return with_connection([&](pg::Connection& c) {
    pg::Params p;
    p.bytes(receiver);
    return static_cast<std::size_t>(c.exec(kWaiting, p).int64(0, 0));
  });
}

}  // namespace cw::store
