// Unit tests for the agents' counters kept in memory by the SQLite writer
// (SqliteOptions::defer_agent_tallies, store/sqlite_tallies.cpp): another connection sees them
// once flushed, the writer's own reads at once; an agent's first events and collector-made ones
// are written at once; a writer killed with counters in memory leaves them to be rebuilt from the
// stored events at the next start.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/sqlite_store.h"
#include "support/temp_dir.h"
#include "unit/events/sample_events.h"

namespace cw::store {
namespace {

using namespace events;
using namespace events::testing;
using cw::testing::TempDir;

constexpr SqliteOptions kDeferred{.defer_agent_tallies = true};
constexpr SqliteOptions kReader{.read_only = true};

std::vector<Event> drifts(std::uint64_t first, std::uint64_t count) {
  std::vector<Event> out;
  for (std::uint64_t s = first; s < first + count; ++s)
    out.push_back(drift_event(s, at(1'000 + static_cast<std::int64_t>(s))));
  return out;
}

std::uint64_t counted(const std::filesystem::path& file, const std::string& agent) {
  SqliteEventStore reader{file, kReader};
  const auto record = reader.agent(agent);
  return record ? record->event_count : 0;
}

TEST(SqliteTallies, KeptInMemoryUntilFlushedButTheWritersOwnReadsSeeThem) {
  TempDir dir;
  const auto file = dir.file("events.db");
  SqliteEventStore writer{file, kDeferred};
  ASSERT_EQ(writer.insert(drifts(1, 3)), 3u);  // its first events: written at once
  EXPECT_EQ(counted(file, "agent-01"), 3u);
  ASSERT_EQ(writer.insert(drifts(4, 2)), 2u);
  ASSERT_EQ(writer.insert(drifts(6, 1)), 1u);
  EXPECT_EQ(counted(file, "agent-01"), 3u);  // in memory
  writer.flush_agent_tallies();
  EXPECT_EQ(counted(file, "agent-01"), 6u);
  ASSERT_EQ(writer.insert(drifts(7, 4)), 4u);
  const auto own = writer.agent("agent-01");  // flushes first
  ASSERT_TRUE(own);
  EXPECT_EQ(own->event_count, 10u);
  EXPECT_EQ(own->last_sequence, 10u);
  EXPECT_EQ(own->last_seen, at(1'010));
  EXPECT_EQ(counted(file, "agent-01"), 10u);
}

TEST(SqliteTallies, CollectorMadeEventsAreWrittenAtOnceWithWhatWasPending) {
  TempDir dir;
  const auto file = dir.file("events.db");
  SqliteEventStore writer{file, kDeferred};
  writer.insert(drifts(1, 1));
  writer.insert(drifts(2, 2));  // pending
  Event down{
      at(2'000), "agent-01", kCollectorSequenceBit | 1, EventType::agent_down, Severity::high,
      {},        {}};
  ASSERT_EQ(writer.insert(std::span{&down, 1}), 1u);
  EXPECT_EQ(counted(file, "agent-01"), 4u);
}

TEST(SqliteTallies, AKilledWritersCountersAreRebuiltFromTheEventsAtTheNextStart) {
  TempDir dir;
  const auto file = dir.file("events.db");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    SqliteEventStore writer{file, kDeferred};
    writer.insert(drifts(1, 2));  // written (first events)
    writer.insert(drifts(3, 5));  // committed, counted in memory only
    writer.insert(drifts(8, 3));
    ::kill(::getpid(), SIGKILL);  // no destructor, no flush
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(counted(file, "agent-01"), 2u);  // what the crash left in the table
  {
    SqliteEventStore writer{file, kDeferred};  // rebuilds
    EXPECT_EQ(counted(file, "agent-01"), 10u);
    const auto record = writer.agent("agent-01");
    ASSERT_TRUE(record);
    EXPECT_EQ(record->last_sequence, 10u);
    EXPECT_EQ(record->last_seen, at(1'010));
    EXPECT_EQ(record->alert_count, 10u);         // drift events are severity high
    EXPECT_EQ(writer.insert(drifts(8, 3)), 0u);  // a resend is still ignored
  }
  SqliteEventStore again{file, kDeferred};  // nothing left to rebuild: not counted twice
  EXPECT_EQ(counted(file, "agent-01"), 10u);
}

// The collector opens the same file writable elsewhere too (retention, the alert state): such an
// open must not rebuild the counters the running writer holds in memory, or they count twice.
TEST(SqliteTallies, AnotherWritableOpenBesideTheWriterDoesNotCountItsPendingEventsAgain) {
  TempDir dir;
  const auto file = dir.file("events.db");
  SqliteEventStore writer{file, kDeferred};
  writer.insert(drifts(1, 2));  // written at once
  writer.insert(drifts(3, 4));  // pending in memory
  { SqliteEventStore beside{file, SqliteOptions{}}; }
  writer.flush_agent_tallies();
  EXPECT_EQ(counted(file, "agent-01"), 6u);
}

}  // namespace
}  // namespace cw::store
