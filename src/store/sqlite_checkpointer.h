// store/sqlite_checkpointer.h — copies a SQLite WAL back into the database on its own thread and
// connection, so that the writer's commits never wait for that copy and its fsyncs (SQLite's
// automatic checkpoint runs inside the COMMIT that crosses the threshold: ~0.2 s every few
// seconds under a fleet's load, every event queued meanwhile waiting for it). Internal to
// SqliteEventStore, which installs the WAL hook that calls request() and holds gate() around each
// write transaction (docs/store.md, "Checkpoints").
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <thread>

struct sqlite3;

namespace cw::store {

class SqliteCheckpointer {
 public:
  // `request_pages`: WAL pages (4 KiB) after which a checkpoint is requested; at 4 times that the
  // writer, finding the WAL still that long (this thread is behind: a slow disk), checkpoints it
  // itself.
  SqliteCheckpointer(std::filesystem::path file, int request_pages);
  ~SqliteCheckpointer();  // stops and joins; the writer's connection checkpoints at its close
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  // The WAL hook of the writer's connection: after each commit, with the WAL's length in pages.
  // Returns true when the writer should checkpoint itself (this thread cannot keep up).
  bool on_commit(int wal_pages);
  // Held by the writer around each write transaction; held here for the short last pass of a
  // checkpoint, so that nothing is appended while it ends and the next transaction restarts the
  // WAL from its beginning (a WAL checkpointed while it grows would never be reused).
  std::mutex& gate() { return gate_; }
  std::uint64_t checkpoints() const;   // passes that copied frames back into the database
  std::uint64_t wal_restarts() const;  // commits that found the WAL started over

 private:
  void run();
  bool checkpoint(sqlite3* db);  // true when it copied frames

  std::filesystem::path file_;
  int request_pages_;
  std::mutex gate_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false, stopping_ = false;
  std::uint64_t checkpoints_ = 0, restarts_ = 0;
  int last_pages_ = 0;
  std::thread thread_;
};

}  // namespace cw::store
