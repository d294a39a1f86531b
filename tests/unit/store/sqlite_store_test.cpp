// Unit tests for what is SQLite's own in store/sqlite_store.h (the behaviour every engine shares
// is the contract suite, store_contract_test.cpp): migrations, reopening, failed writes, files.
#include "store/sqlite_store.h"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <chrono>

#include "support/temp_dir.h"
#include "unit/events/sample_events.h"

namespace cw::store {
namespace {

using namespace events;
using namespace events::testing;
using cw::testing::TempDir;

Event simple(const std::string& agent, std::uint64_t sequence, Timestamp when,
             EventType type = EventType::agent_start, Severity severity = Severity::info) {
  return Event{when, agent, sequence, type, severity, {}, {}};
}

// A write that fails (here a trigger another connection installed; in life a full disk) fails
// its batch only: the statements are reset, so the next batches, of both sizes, are stored.
TEST(SqliteStore, AFailedWriteDoesNotBreakTheWritesAfterIt) {
  TempDir dir;
  SqliteEventStore store{dir.file("events.db")};
  SQLite::Database other{dir.file("events.db").string(), SQLite::OPEN_READWRITE};
  other.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.sequence = 999 "
      "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
  std::vector<Event> big;
  for (std::uint64_t s = 1; s <= 64; ++s)
    big.push_back(simple("a", s, at(static_cast<std::int64_t>(s))));
  big.back().sequence = 999;
  EXPECT_THROW(store.insert(big), SQLite::Exception);
  EXPECT_THROW(store.insert(std::vector{simple("a", 999, at(1))}), SQLite::Exception);
  other.exec("DROP TRIGGER refuse");
  EXPECT_EQ(store.insert(big), 64u);
  EXPECT_EQ(store.insert(std::vector{simple("a", 1000, at(2))}), 1u);
  EXPECT_EQ(store.agent("a")->event_count, 65u);
}

TEST(SqliteStore, ReopeningKeepsEverythingAndDoesNotMigrateAgain) {
  TempDir dir;
  {
    SqliteEventStore store{dir.file("events.db")};
    store.insert(std::vector{simple("a", 1, at(10))});
    EXPECT_EQ(store.schema_version(), kSchemaVersion);
  }
  SqliteEventStore again{dir.file("events.db")};
  EXPECT_EQ(again.schema_version(), kSchemaVersion);
  EXPECT_EQ(again.insert(std::vector{simple("a", 1, at(10))}), 0u);
  EXPECT_EQ(again.query({}).size(), 1u);
  SqliteEventStore reader{dir.file("events.db"), {.read_only = true}};
  EXPECT_EQ(reader.query({}).size(), 1u);
}

TEST(SqliteStore, CreatesItsDirectory) {
  TempDir dir;
  SqliteEventStore store{dir.file("deeper") / "still" / "events.db"};
  EXPECT_TRUE(std::filesystem::exists(dir.file("deeper") / "still" / "events.db"));
}

TEST(SqliteStore, RefusesASchemaNewerThanItself) {
  TempDir dir;
  {
    SQLite::Database db{dir.file("events.db").string(),
                        SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
    db.exec("PRAGMA user_version = 99");
  }
  try {
    SqliteEventStore store{dir.file("events.db")};
    FAIL() << "opened a schema from the future";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string{error.what()}.find("newer than this chronowatch"), std::string::npos);
  }
}

TEST(SqliteStore, ReadOnlyOpenOfAMissingFileSaysWhatToDo) {
  TempDir dir;
  try {
    SqliteEventStore store{dir.file("none.db"), {.read_only = true}};
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string{error.what()}.find("--db"), std::string::npos);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("none.db")));
}

// The WAL is copied back by the checkpoint thread, not in the writer's COMMIT, and is then reused
// from its start while the writer keeps committing (a WAL checkpointed while it is appended to is
// never started over unless the last pass runs between two transactions).
TEST(SqliteStore, TheCheckpointThreadCopiesTheWalBackAndItStartsOver) {
  TempDir dir;
  SqliteEventStore store{dir.file("events.db"),
                         {.checkpoint_thread = true, .checkpoint_pages = 16}};
  std::uint64_t sequence = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (store.background_checkpoints() < 3 || store.wal_restarts() < 3) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << store.background_checkpoints() << " passes, " << store.wal_restarts() << " restarts";
    std::vector<Event> batch;
    for (int i = 0; i < 20; ++i) {
      ++sequence;
      batch.push_back(simple("agent-" + std::to_string(sequence % 50), sequence, at(1)));
    }
    ASSERT_EQ(store.insert(batch), batch.size());
  }
  EXPECT_EQ(store.query({}).size(), sequence);
  SqliteEventStore automatic{dir.file("other.db")};  // SQLite's own checkpoint: no thread
  automatic.insert(std::vector{simple("a", 1, at(1))});
  EXPECT_EQ(automatic.background_checkpoints(), 0u);
}

}  // namespace
}  // namespace cw::store
