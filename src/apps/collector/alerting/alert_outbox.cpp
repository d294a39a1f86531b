// apps/collector/alerting/alert_outbox.cpp — the local outbox table, and which outbox to open.
#include "apps/collector/alerting/alert_outbox.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "store/postgres/pg_outbox.h"

namespace cw::apps {

SqliteAlertOutbox::SqliteAlertOutbox(const std::string& path)
    : path_(path), db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
  db_.exec("PRAGMA journal_mode=WAL");
  db_.exec("PRAGMA synchronous=NORMAL");  // survives the process dying; a power loss may lose
                                          // the last commits
  db_.exec(R"sql(
    CREATE TABLE IF NOT EXISTS outbox (
      id              INTEGER PRIMARY KEY AUTOINCREMENT,
      receiver        TEXT    NOT NULL,
      notification_id TEXT    NOT NULL,
      payload         TEXT    NOT NULL,
      created_ns      INTEGER NOT NULL,
      attempts        INTEGER NOT NULL DEFAULT 0,
      next_attempt_ns INTEGER NOT NULL,
      last_error      TEXT    NOT NULL DEFAULT '',
      UNIQUE (receiver, notification_id)
    );
    CREATE INDEX IF NOT EXISTS outbox_by_receiver ON outbox (receiver, id);
  )sql");
}

void SqliteAlertOutbox::add(const std::vector<OutboxItem>& items) {
  if (items.empty()) return;
  std::lock_guard lock(mutex_);
  SQLite::Transaction transaction(db_);
  SQLite::Statement insert(db_,
                           "INSERT OR IGNORE INTO outbox (receiver, notification_id, payload, "
                           "created_ns, next_attempt_ns) VALUES (?, ?, ?, ?, ?)");
  for (const auto& item : items) {
    insert.bind(1, item.receiver);
    insert.bind(2, item.notification_id);
    insert.bind(3, item.payload);
    insert.bind(4, static_cast<std::int64_t>(unix_ns(item.created)));
    insert.bind(5, static_cast<std::int64_t>(unix_ns(item.created)));
    insert.exec();
    insert.reset();
  }
  transaction.commit();
}

std::optional<OutboxItem> SqliteAlertOutbox::claim(const std::string& receiver, Timestamp now) {
  std::lock_guard lock(mutex_);
  SQLite::Statement query(db_,
                          "SELECT id, notification_id, payload, created_ns, attempts, "
                          "next_attempt_ns, last_error FROM outbox WHERE receiver = ? "
                          "ORDER BY id LIMIT 1");
  query.bind(1, receiver);
  if (!query.executeStep()) return std::nullopt;
  OutboxItem item;
  item.id = query.getColumn(0).getInt64();
  item.receiver = receiver;
  item.notification_id = query.getColumn(1).getString();
  item.payload = query.getColumn(2).getString();
  item.created = from_unix_ns(query.getColumn(3).getInt64());
  item.attempts = query.getColumn(4).getInt();
  item.next_attempt = from_unix_ns(query.getColumn(5).getInt64());
  item.last_error = query.getColumn(6).getString();
  if (item.next_attempt > now) return std::nullopt;  // backing off; those after it wait too
  return item;
}

void SqliteAlertOutbox::delivered(const OutboxItem& item) {
  std::lock_guard lock(mutex_);
  SQLite::Statement remove(db_, "DELETE FROM outbox WHERE id = ?");
  remove.bind(1, item.id);
  remove.exec();
}

void SqliteAlertOutbox::failed(const OutboxItem& item, Timestamp now, Duration retry_in,
                               const std::string& error) {
  std::lock_guard lock(mutex_);
  SQLite::Statement update(db_,
                           "UPDATE outbox SET attempts = attempts + 1, next_attempt_ns = ?, "
                           "last_error = ? WHERE id = ?");
  update.bind(1, static_cast<std::int64_t>(unix_ns(now + retry_in)));
  update.bind(2, error);
  update.bind(3, item.id);
  update.exec();
}

std::size_t SqliteAlertOutbox::waiting(const std::string& receiver) {
  std::lock_guard lock(mutex_);
  SQLite::Statement query(db_, "SELECT count(*) FROM outbox WHERE receiver = ?");
  query.bind(1, receiver);
  query.executeStep();
  return static_cast<std::size_t>(query.getColumn(0).getInt64());
}

std::size_t SqliteAlertOutbox::move_into(store::Outbox& shared) {
  std::lock_guard lock(mutex_);
  SQLite::Statement query(db_,
                          "SELECT id, receiver, notification_id, payload, created_ns FROM outbox "
                          "ORDER BY id");
  std::vector<OutboxItem> items;
  while (query.executeStep()) {
    OutboxItem item;
    item.id = query.getColumn(0).getInt64();
    item.receiver = query.getColumn(1).getString();
    item.notification_id = query.getColumn(2).getString();
    item.payload = query.getColumn(3).getString();
    item.created = item.next_attempt = from_unix_ns(query.getColumn(4).getInt64());
    items.push_back(std::move(item));
  }
  shared.add(items);  // committed there before they leave here (a repeat is dropped there)
  SQLite::Transaction transaction(db_);
  SQLite::Statement remove(db_, "DELETE FROM outbox WHERE id = ?");
  for (const auto& item : items) {
    remove.bind(1, item.id);
    remove.exec();
    remove.reset();
  }
  transaction.commit();
  return items.size();
}

std::unique_ptr<store::Outbox> open_outbox(const OutboxPlace& place) {
  if (place.shared_conninfo.empty()) return std::make_unique<SqliteAlertOutbox>(place.path);
  auto shared = std::make_unique<store::PgOutbox>(
      place.shared_conninfo,
      store::PgOutboxOptions{.owner = place.owner, .lease = place.lease, .keep = place.keep});
  // A collector that kept its outbox in a local file before (an older version): what waits
  // there goes to the shared one, once.
  std::error_code missing;
  if (place.path.empty() || !std::filesystem::exists(place.path, missing)) return shared;
  try {
    SqliteAlertOutbox local(place.path);
    if (const auto moved = local.move_into(*shared); moved > 0)
      spdlog::info("alerts: moved {} notifications waiting in {} into the shared outbox", moved,
                   place.path);
  } catch (const std::exception& error) {
    spdlog::warn("alerts: the notifications waiting in {} stay there: {}", place.path,
                 error.what());
  }
  return shared;
}

}  // namespace cw::apps
