// store/sqlite_checkpointer.cpp — the WAL checkpoint thread (store/sqlite_checkpointer.h).
#include "store/sqlite_checkpointer.h"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace cw::store {

SqliteCheckpointer::SqliteCheckpointer(std::filesystem::path file, int request_pages)
    : file_(std::move(file)), request_pages_(request_pages) {}

SqliteCheckpointer::~SqliteCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool SqliteCheckpointer::on_commit(int wal_pages) {
  std::unique_lock lock(mutex_);
  restarts_ += wal_pages < last_pages_;
  last_pages_ = wal_pages;
  if (wal_pages < request_pages_) return false;
  {
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });  // on the first need
    requested_ = true;
  }
  lock.unlock();
  wake_.notify_one();
  return wal_pages >= 4 * request_pages_;
}

std::uint64_t SqliteCheckpointer::wal_restarts() const {
  std::lock_guard lock(mutex_);
  return restarts_;
}

std::uint64_t SqliteCheckpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

void SqliteCheckpointer::run() {
  try {
    SQLite::Database db{file_.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX};
    // A connection opens the WAL at its first read; until then a checkpoint is a no-op.
    db.exec("SELECT count(*) FROM sqlite_schema");
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return requested_ || stopping_; });
      if (stopping_) return;
      requested_ = false;
      lock.unlock();
      const bool copied = checkpoint(db.getHandle());
      lock.lock();
      checkpoints_ += copied;
    }
  } catch (const std::exception& error) {  // the writer's fallback checkpoints from now on
    spdlog::error("store: WAL checkpoint thread for {} stopped: {}", file_.string(), error.what());
  }
}

// First the long pass beside the writer (copying most frames, and the fsyncs), then a short one
// between two of its transactions for what it appended meanwhile. SQLITE_BUSY: another
// connection is checkpointing (one with SQLite's automatic checkpoint); the next commit asks again.
bool SqliteCheckpointer::checkpoint(sqlite3* db) {
  int wal = 0, copied = 0;
  int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal, &copied);
  if (rc == SQLITE_OK || rc == SQLITE_BUSY) {
    std::lock_guard gate(gate_);
    rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal, &copied);
  }
  if (rc != SQLITE_OK && rc != SQLITE_BUSY)
    spdlog::warn("store: WAL checkpoint of {} failed: {}", file_.string(), sqlite3_errstr(rc));
  return rc == SQLITE_OK && copied > 0;
}

}  // namespace cw::store
