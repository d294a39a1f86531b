// Unit tests for what is PostgreSQL's own in store/postgres/pg_store.h, on a throwaway cluster
// (the shared behaviour is the contract suite): daily partitions made ahead, far-off events in
// events_far moving into their day's partition, schema versions, two writers on the same agents,
// the sweeper's advisory lock, and a server restarted under the store.
#include "store/postgres/pg_store.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "store/postgres/pg_connection.h"
#include "store_engines.h"
#include "support/fake_clock.h"
#include "unit/events/sample_events.h"

namespace cw::store {
namespace {

using namespace events;
using namespace events::testing;
using testing::PostgresEngine;
using testing::test_cluster;

constexpr std::int64_t kDay = 86'400;
const Timestamp kNoon = at(1'764'676'800);  // 2025-12-02T12:00:00Z

Event simple(const std::string& agent, std::uint64_t sequence, Timestamp when) {
  return Event{when, agent, sequence, EventType::agent_start, Severity::info, {}, {}};
}

std::int64_t count(PostgresEngine& db, const std::string& table) {
  pg::Connection c{db.url()};
  return c.exec("SELECT count(*)::bigint FROM " + table, pg::Params{}).int64(0, 0);
}

TEST(PgStore, MakesDailyPartitionsBehindAndAheadOfNow) {
  PostgresEngine db;
  PgEventStore store{db.url(), {.days_ahead = 2, .days_behind = 1}};
  store.ensure_partitions(kNoon);
  const auto names = store.partitions();
  for (const char* day :
       {"events_20251201", "events_20251202", "events_20251203", "events_20251204"})
    EXPECT_NE(std::find(names.begin(), names.end(), day), names.end()) << day;
}

TEST(PgStore, FarOffEventsWaitInEventsFarAndMoveWhenTheirDayComes) {
  PostgresEngine db;
  PgEventStore store{db.url(), {.days_ahead = 1, .days_behind = 0}};
  store.ensure_partitions(kNoon);
  const auto later = kNoon + std::chrono::seconds(10 * kDay);
  EXPECT_EQ(store.insert(std::vector{simple("a", 1, kNoon), simple("a", 2, later)}), 2u);
  EXPECT_EQ(count(db, "events_far"), 1);
  EXPECT_EQ(count(db, "events_20251202"), 1);
  store.ensure_partitions(later);  // ten days on: its day's partition is made, the row moves in
  EXPECT_EQ(count(db, "events_far"), 0);
  EXPECT_EQ(count(db, "events_20251212"), 1);
  EXPECT_EQ(store.insert(std::vector{simple("a", 2, later)}), 0u);  // a resend meets it there
  EXPECT_EQ(store.query({}).size(), 2u);
}

// The store decides by the collector's clock, not the machine's: the partitions it opens with
// and makes on an insert ten days on, and when the agent was heard.
TEST(PgStore, PartitionsAndHeardFollowTheInjectedClock) {
  PostgresEngine db;
  cw::testing::FakeClock clock{kNoon};
  PgEventStore store{db.url(), {.days_ahead = 1, .days_behind = 0, .clock = &clock}};
  auto names = store.partitions();
  EXPECT_NE(std::find(names.begin(), names.end(), "events_20251203"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "events_20251212"), names.end());
  clock.advance(std::chrono::seconds(10 * kDay));
  EXPECT_EQ(store.insert(std::vector{simple("a", 1, clock.now())}), 1u);
  names = store.partitions();
  EXPECT_NE(std::find(names.begin(), names.end(), "events_20251212"), names.end());
  EXPECT_EQ(count(db, "events_20251212"), 1);
  const auto agent = store.agent("a");
  ASSERT_TRUE(agent && agent->heard);
  EXPECT_EQ(*agent->heard, clock.now());
}

TEST(PgStore, RefusesASchemaNewerThanItself) {
  PostgresEngine db;
  { PgEventStore store{db.url()}; }
  test_cluster().psql("INSERT INTO chronowatch_schema (version) VALUES (99)", db.database);
  try {
    PgEventStore store{db.url()};
    FAIL() << "opened a schema from the future";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string{error.what()}.find("newer than this chronowatch"), std::string::npos);
  }
}

TEST(PgStore, ReadOnlyOpenOfAnEmptyDatabaseSaysWhatToDo) {
  PostgresEngine db;
  try {
    PgEventStore store{db.url(), {.read_only = true}};
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string{error.what()}.find("start the collector"), std::string::npos);
  }
  EXPECT_EQ(count(db, "pg_tables WHERE tablename = 'events'"), 0);
}

TEST(PgStore, AnUnreachableServerIsNamedInTheError) {
  try {
    open_store("postgresql:///none?host=/nonexistent-dir&connect_timeout=2");
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string{error.what()}.find("cannot connect to PostgreSQL"), std::string::npos);
  }
}

// A "server" that takes the TCP connection but never answers (the kernel completes the handshake
// on a listening socket nobody accepts from): the connect gives up by its timeout, from the URL
// or from PGCONNECT_TIMEOUT, instead of waiting for ever.
class SilentListener {
 public:
  SilentListener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      throw std::runtime_error("cannot listen on loopback");
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

double seconds_to_fail(const std::string& conninfo) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(pg::Connection{conninfo}, pg::PgError);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(PgStore, AServerThatNeverAnswersIsGivenUpByTheConnectTimeout) {
  SilentListener silent;
  const auto where = "host=127.0.0.1 port=" + std::to_string(silent.port()) + " dbname=none";
  const double from_url = seconds_to_fail(where + " connect_timeout=2");
  EXPECT_GE(from_url, 1.5);
  EXPECT_LT(from_url, 9.0);  // well before the default 10 s

  ::setenv("PGCONNECT_TIMEOUT", "2", 1);
  const double from_environment = seconds_to_fail(where);
  ::unsetenv("PGCONNECT_TIMEOUT");
  EXPECT_GE(from_environment, 1.5);
  EXPECT_LT(from_environment, 9.0);
}

TEST(PgStore, WithoutAConnectTimeoutTheConnectGivesUpAfterTenSeconds) {
  auto silent = std::make_unique<SilentListener>();
  const auto where = "host=127.0.0.1 port=" + std::to_string(silent->port()) + " dbname=none";
  auto attempt = std::async(std::launch::async, [&] { return seconds_to_fail(where); });
  // Before the default, libpq waited for ever; closing the listener resets the connection, so a
  // regression fails here instead of hanging the suite.
  const bool gave_up = attempt.wait_for(std::chrono::seconds{30}) == std::future_status::ready;
  silent.reset();
  const double waited = attempt.get();
  ASSERT_TRUE(gave_up) << "still connecting after 30 s";
  EXPECT_GE(waited, 9.0);
  EXPECT_LT(waited, 30.0);
}

// Two collectors storing the same agents' resends at once: each event once, counters exact,
// no deadlock (both insert in agent, sequence order).
TEST(PgStore, TwoWritersOnTheSameAgentsStoreEachEventOnce) {
  PostgresEngine db;
  { PgEventStore create{db.url()}; }
  auto write = [&] {
    PgEventStore store{db.url()};
    for (std::uint64_t round = 0; round < 20; ++round) {
      std::vector<Event> batch;
      for (const char* agent : {"c", "a", "b"})
        for (std::uint64_t s = round * 50 + 1; s <= round * 50 + 100; ++s)
          batch.push_back(simple(agent, s, at(static_cast<std::int64_t>(1000 + s))));
      store.insert(batch);
    }
  };
  std::thread first{write}, second{write};
  first.join(), second.join();
  PgEventStore store{db.url()};
  EXPECT_EQ(store.query({}).size(), 3u * 1050);
  for (const char* agent : {"a", "b", "c"}) {
    EXPECT_EQ(store.agent(agent)->event_count, 1050u) << agent;
    EXPECT_EQ(store.agent(agent)->last_sequence, 1050u) << agent;
  }
}

// A transaction that took its block of positions and has not committed holds every reader's
// horizon below that block, whatever commits after it: the live stream never skips its events.
TEST(PgStore, AWriterInFlightHoldsTheHorizonBackUntilItCommits) {
  PostgresEngine db;
  PgEventStore writer{db.url()};
  PgEventStore reader{db.url(), {.read_only = true}};
  const auto first = writer.insert_reporting(std::vector{simple("a", 1, kNoon)});
  pg::Connection slow{db.url()};  // a collector's flush, stopped between its block and COMMIT
  slow.exec("BEGIN");
  const auto base = slow.exec(pg::kTakePositionBlock, pg::Params{}).int64(0, 0);
  pg::Params row;
  row.bytes("b").int64(1).int64(unix_ns(kNoon)).int64(base);
  slow.exec(
      "WITH b AS (INSERT INTO agents (agent_id, first_seen_ns, last_seen_ns, state_changed_ns) "
      "VALUES ($1, $3, $3, $3) RETURNING agent_key) INSERT INTO events (agent_key, sequence, "
      "timestamp_ns, type, severity, payload, position) SELECT agent_key, $2, $3, 1, 0, '', $4 "
      "FROM b",
      row);
  const auto later = writer.insert_reporting(std::vector{simple("a", 2, kNoon)});
  ASSERT_EQ(later.stored(), 1u);
  EXPECT_GT(later.positions[0], base);
  EXPECT_LT(reader.last_position(), base);
  EXPECT_TRUE(reader.read_after(first.positions[0], {}).empty());  // 'a' 2 is held back too
  slow.exec("COMMIT");
  const auto after = reader.read_after(first.positions[0], {});
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].event.agent_id, "b");
  EXPECT_EQ(after[1].position, later.positions[0]);
  EXPECT_GE(reader.last_position(), later.positions[0]);
}

// Schema 3 keyed events by the agent's binary id; schema 4 by agents.agent_key. A database a
// schema-3 collector left (rows in a daily partition and in events_far, one agent with no row in
// `agents`) is migrated on open: the same events, counters kept, resends still ignored.
TEST(PgStore, ASchema3DatabaseIsMigratedAndStillIgnoresResends) {
  PostgresEngine db;
  { PgEventStore old{db.url(), {.migrate_to = 3}}; }
  const auto today = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  const auto ns = [](Timestamp t) { return std::to_string(unix_ns(t)); };
  test_cluster().psql(
      "INSERT INTO events (agent_id, sequence, timestamp_ns, type, severity, payload, position) "
      "VALUES ('a'::bytea, 1, " +
          ns(today) + ", 41, 0, '', 1), ('a'::bytea, 2, " + ns(kNoon) +
          ", 41, 0, '', 2), ('b'::bytea, 7, " + ns(today) +
          ", 41, 0, '', 3); "
          "INSERT INTO agents (agent_id, first_seen_ns, last_seen_ns, state_changed_ns, "
          "last_sequence, event_count) VALUES ('a'::bytea, 1, 2, 1, 2, 2)",
      db.database);
  ASSERT_EQ(count(db, "events_far"), 1);
  PgEventStore store{db.url()};
  EXPECT_EQ(store.schema_version(), kPgSchemaVersion);
  EXPECT_EQ(count(db,
                  "information_schema.columns WHERE table_name = 'events' AND "
                  "column_name = 'agent_id'"),
            0);
  EXPECT_EQ(count(db, "events_far"), 1);
  const auto stored = store.query({});
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0].agent_id, "a");  // kNoon is older than today
  EXPECT_EQ(stored[0].sequence, 2u);
  EXPECT_EQ(stored[0].type, EventType::agent_start);
  EXPECT_EQ(store.agent("a")->event_count, 2u);
  ASSERT_TRUE(store.agent("b"));  // given a row (and a key) by the migration
  EXPECT_EQ(store.find("b", 7)->event.timestamp, today);
  EXPECT_EQ(store.insert(
                std::vector{simple("a", 1, today), simple("a", 2, kNoon), simple("b", 7, today)}),
            0u);  // resends, in a daily partition and in events_far
  EXPECT_EQ(store.insert(std::vector{simple("a", 3, today), simple("c", 1, today)}), 2u);
  EXPECT_EQ(store.query({}).size(), 5u);
  EXPECT_EQ(store.agent("a")->event_count, 3u);
  PgEventStore again{db.url()};  // a second collector: keys from the store, not its own
  EXPECT_EQ(again.insert(std::vector{simple("c", 1, today), simple("b", 8, today)}), 1u);
  EXPECT_EQ(store.agent("b")->last_sequence, 8u);
}

// Each ingest commit notifies the store's listeners (the console's live stream wakes on it).
TEST(PgStore, ACommitWakesAListener) {
  PostgresEngine db;
  PgEventStore writer{db.url()};
  PgEventStore listener{db.url(), {.read_only = true}};
  EXPECT_TRUE(listener.wait_for_commits(std::chrono::milliseconds(0)));  // first call: LISTEN
  EXPECT_FALSE(listener.wait_for_commits(std::chrono::milliseconds(50)));
  writer.insert(std::vector{simple("a", 1, kNoon)});
  EXPECT_TRUE(listener.wait_for_commits(std::chrono::seconds(10)));
  writer.insert(std::vector{simple("a", 1, kNoon)});  // a resend stores nothing: no wake-up
  EXPECT_FALSE(listener.wait_for_commits(std::chrono::milliseconds(200)));
}

TEST(PgStore, OneStoreLeadsLivenessAndAnotherTakesOverWhenItCloses) {
  PostgresEngine db;
  auto first = std::make_unique<PgEventStore>(db.url());
  PgEventStore second{db.url()};
  EXPECT_TRUE(first->lead_liveness());
  EXPECT_TRUE(first->lead_liveness());
  EXPECT_FALSE(second.lead_liveness());
  first.reset();  // its connection closes: the server releases the lock as its backend exits
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool took_over = false;
  while (!(took_over = second.lead_liveness()) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(took_over);
}

// `pg_ctl -m immediate` under an open store: the batch in flight fails (the collector does not
// acknowledge it, the agent resends), the next one reconnects; nothing is lost or doubled.
TEST(PgStore, AServerRestartedImmediatelyIsReconnectedAndLosesNothingCommitted) {
  PostgresEngine db;
  PgEventStore store{db.url()};
  EXPECT_EQ(store.insert(std::vector{simple("a", 1, kNoon), simple("a", 2, kNoon)}), 2u);
  test_cluster().stop(/*immediate=*/true);
  test_cluster().start();
  const std::vector resend{simple("a", 2, kNoon), simple("a", 3, kNoon)};
  std::size_t stored = 0;
  try {
    stored = store.insert(resend);
  } catch (const std::runtime_error&) {
    stored = store.insert(resend);  // the writer's retry
  }
  EXPECT_EQ(stored, 1u);
  EXPECT_EQ(store.query({}).size(), 3u);
  EXPECT_EQ(store.agent("a")->event_count, 3u);
}

}  // namespace
}  // namespace cw::store
