// tests/unit/apps/collector/alert_outbox_test.cpp — the collector's outboxes: the local SQLite one
// (a receiver's oldest item only, and only once its back-off is over) and, with a PostgreSQL
// store (a throwaway cluster), the shared one taking over what an older version left waiting in
// the local file, once.
#include "apps/collector/alerting/alert_outbox.h"

#include <gtest/gtest.h>

#include "store/postgres/pg_store.h"
#include "support/temp_dir.h"
#include "unit/store/store_engines.h"

namespace cw::apps {
namespace {

using namespace std::chrono_literals;

const Timestamp kNow = from_unix_ns(1'764'676'800'000'000'000);

OutboxItem item(const std::string& id) { return {0, "webhook-1", id, "{}", kNow, 0, kNow, {}, {}}; }

TEST(AlertOutbox, LocalOnlyTheOldestAndOnlyOnceItsBackOffIsOver) {
  cw::testing::TempDir dir;
  SqliteAlertOutbox outbox((dir.path() / "outbox").string());
  outbox.add({item("n1"), item("n2"), item("n1")});
  EXPECT_EQ(outbox.waiting("webhook-1"), 2u);
  auto first = outbox.claim("webhook-1", kNow);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->notification_id, "n1");
  outbox.failed(*first, kNow, 4s, "HTTP 500");
  EXPECT_FALSE(outbox.claim("webhook-1", kNow + 3s));  // n2 waits behind n1 too
  auto again = outbox.claim("webhook-1", kNow + 4s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->notification_id, "n1");
  EXPECT_EQ(again->attempts, 1);
  EXPECT_EQ(again->last_error, "HTTP 500");
  outbox.delivered(*again);
  EXPECT_EQ(outbox.claim("webhook-1", kNow + 4s)->notification_id, "n2");
}

TEST(AlertOutbox, ASharedOutboxTakesOverWhatWaitsInTheLocalFileOnce) {
  cw::testing::TempDir dir;
  const auto path = (dir.path() / "outbox").string();
  SqliteAlertOutbox(path).add({item("n1"), item("n2")});
  store::testing::PostgresEngine db;
  { store::PgEventStore migrated{db.url()}; }
  OutboxPlace place{path, db.url(), "collector-a", 30s, 24h};
  auto shared = open_outbox(place);
  EXPECT_EQ(shared->waiting("webhook-1"), 2u);
  EXPECT_EQ(SqliteAlertOutbox(path).waiting("webhook-1"), 0u);
  auto again = open_outbox(place);  // nothing left to move: nothing doubled
  EXPECT_EQ(again->waiting("webhook-1"), 2u);
  EXPECT_EQ(shared->claim("webhook-1", kNow)->notification_id, "n1");
}

TEST(AlertOutbox, AStoreOfItsOwnKeepsTheLocalFile) {
  cw::testing::TempDir dir;
  const auto path = (dir.path() / "outbox").string();
  auto outbox = open_outbox({path, {}, {}, 30s, 24h});
  outbox->add({item("n1")});
  EXPECT_EQ(outbox->describe(), path);
  EXPECT_EQ(SqliteAlertOutbox(path).waiting("webhook-1"), 1u);
}

}  // namespace
}  // namespace cw::apps
