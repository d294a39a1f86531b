// Crash safety of store/sqlite_store.h: a writer process killed with SIGKILL in the middle of a
// stream of batches leaves a database that opens, passes integrity_check, holds only whole
// batches, and ignores the batches the writer resends after restarting.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "store/sqlite_store.h"
#include "support/temp_dir.h"
#include "unit/events/sample_events.h"

namespace cw::store {
namespace {

using namespace events::testing;
constexpr std::uint64_t kBatch = 250;

std::vector<events::Event> batch(std::uint64_t index) {
  std::vector<events::Event> out;
  for (std::uint64_t i = 0; i < kBatch; ++i)
    out.push_back(
        drift_event(index * kBatch + i + 1, at(1'000 + static_cast<std::int64_t>(index))));
  return out;
}

[[noreturn]] void write_forever(const std::filesystem::path& file) {
  SqliteEventStore store{file};
  for (std::uint64_t index = 0;; ++index) store.insert(batch(index));
}

std::int64_t stored(const std::filesystem::path& file) {
  SQLite::Database db{file.string(), SQLite::OPEN_READONLY};
  return db.execAndGet("SELECT count(*) FROM events").getInt64();
}

TEST(SqliteCrash, KilledWriterLeavesWholeBatchesAndResendsAreIgnored) {
  cw::testing::TempDir dir;
  const auto file = dir.file("events.db");
  { SqliteEventStore create{file}; }
  const pid_t writer = ::fork();
  ASSERT_GE(writer, 0);
  if (writer == 0) write_forever(file);
  // Let it write a while (polling the count, at most 20 s), then kill it mid-stream.
  for (int i = 0; i < 400 && stored(file) < static_cast<std::int64_t>(20 * kBatch); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  ::kill(writer, SIGKILL);
  int status = 0;
  ::waitpid(writer, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  SqliteEventStore store{file};
  {
    SQLite::Database db{file.string(), SQLite::OPEN_READONLY};
    EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
  }
  const auto count = static_cast<std::uint64_t>(stored(file));
  ASSERT_GE(count, 20 * kBatch);
  EXPECT_EQ(count % kBatch, 0u) << "a batch was stored in part";
  const auto batches = count / kBatch;
  // The writer restarts and resends from a little before where it was: nothing doubles.
  std::size_t added = 0;
  for (std::uint64_t index = batches - 3; index < batches + 2; ++index)
    added += store.insert(batch(index));
  EXPECT_EQ(added, 2 * kBatch);
  EXPECT_EQ(static_cast<std::uint64_t>(stored(file)), (batches + 2) * kBatch);
  EXPECT_EQ(store.agent("agent-01")->event_count, (batches + 2) * kBatch);
}

}  // namespace
}  // namespace cw::store
