// Unit tests for store/postgres/pg_outbox.h on a throwaway cluster: the shared alert outbox of
// several collectors — one row per (receiver, notification) whoever adds it, one claim holder at a
// time and in order, an ended lease taken over, back-off timed by the server, delivered rows kept
// so a later repeat is dropped — and migration 5 from a schema-4 database.
#include "store/postgres/pg_outbox.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_store.h"
#include "store_engines.h"
#include "unit/events/sample_events.h"

namespace cw::store {
namespace {

using namespace std::chrono_literals;
using testing::PostgresEngine;

const Timestamp kNow = events::testing::at(1'764'676'800);

OutboxItem item(const std::string& id, const std::string& receiver = "webhook-1") {
  return {0, receiver, id, "{\"id\":\"" + id + "\"}", kNow, 0, kNow, {}, {}};
}

// Two collectors' outboxes on one fresh store.
struct Shared {
  explicit Shared(Duration lease = 30s) {
    PgEventStore migrated{db.url()};
    a = std::make_unique<PgOutbox>(db.url(), PgOutboxOptions{.owner = "a", .lease = lease});
    b = std::make_unique<PgOutbox>(db.url(), PgOutboxOptions{.owner = "b", .lease = lease});
  }
  PostgresEngine db;
  std::unique_ptr<PgOutbox> a, b;
};

// Polls `outbox` for a claim for up to 10 s (what a delivery loop does).
std::optional<OutboxItem> claim_within(PgOutbox& outbox, const std::string& receiver) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto claimed = outbox.claim(receiver, kNow)) return claimed;
    std::this_thread::sleep_for(20ms);
  }
  return std::nullopt;
}

TEST(PgOutbox, OneRowPerReceiverAndNotificationWhoeverAddsIt) {
  Shared s;
  s.a->add({item("n1"), item("n2")});
  s.b->add({item("n1"), item("n1", "slack-1")});  // the same alert through the other collector
  EXPECT_EQ(s.a->waiting("webhook-1"), 2u);
  EXPECT_EQ(s.b->waiting("slack-1"), 1u);
}

TEST(PgOutbox, OneHolderAtATimeAndInOrder) {
  Shared s;
  s.a->add({item("n1"), item("n2")});
  const auto first = s.a->claim("webhook-1", kNow);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->notification_id, "n1");
  EXPECT_EQ(first->payload, "{\"id\":\"n1\"}");
  EXPECT_FALSE(s.b->claim("webhook-1", kNow));  // not n1 (claimed), nor n2 (behind n1)
  EXPECT_TRUE(s.b->claim("slack-1", kNow) == std::nullopt);
  s.a->delivered(*first);
  const auto second = s.b->claim("webhook-1", kNow);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->notification_id, "n2");
  EXPECT_TRUE(second->taken_over_from.empty());
  EXPECT_EQ(s.a->waiting("webhook-1"), 1u);
}

TEST(PgOutbox, AClaimWhoseLeaseEndedIsTakenOverAndItsHolderCannotUndoThat) {
  Shared s(300ms);
  s.a->add({item("n1")});
  const auto held = s.a->claim("webhook-1", kNow);
  ASSERT_TRUE(held);
  EXPECT_FALSE(s.b->claim("webhook-1", kNow));
  const auto taken = claim_within(*s.b, "webhook-1");  // a "died": its lease ends
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->notification_id, "n1");
  EXPECT_EQ(taken->taken_over_from, "a");
  s.a->failed(*held, kNow, 0s, "late");  // a's answer after its lease: b's claim stands
  EXPECT_FALSE(s.a->claim("webhook-1", kNow));
  s.b->delivered(*taken);
  EXPECT_EQ(s.a->waiting("webhook-1"), 0u);
}

TEST(PgOutbox, AFailedAttemptReleasesTheClaimAndBacksOffByTheServersClock) {
  Shared s;
  s.a->add({item("n1")});
  const auto first = s.a->claim("webhook-1", kNow);
  ASSERT_TRUE(first);
  const auto failed_at = std::chrono::steady_clock::now();
  s.a->failed(*first, kNow, 400ms, "HTTP 500");
  EXPECT_FALSE(s.b->claim("webhook-1", kNow));  // backing off
  const auto retry = claim_within(*s.b, "webhook-1");
  ASSERT_TRUE(retry);
  EXPECT_GE(std::chrono::steady_clock::now() - failed_at, 350ms);
  EXPECT_EQ(retry->attempts, 1);
  EXPECT_EQ(retry->last_error, "HTTP 500");
  EXPECT_TRUE(retry->taken_over_from.empty());  // released, not taken over
}

TEST(PgOutbox, ADeliveredNotificationIsKeptSoALaterRepeatIsDropped) {
  Shared s;
  s.a->add({item("n1")});
  s.a->delivered(*s.a->claim("webhook-1", kNow));
  s.b->add({item("n1")});  // raised again later through the other collector
  EXPECT_EQ(s.b->waiting("webhook-1"), 0u);
  EXPECT_FALSE(s.b->claim("webhook-1", kNow));
  pg::Connection c{s.db.url()};
  EXPECT_EQ(
      c.exec("SELECT count(*)::bigint FROM alert_outbox WHERE payload <> ''::bytea", pg::Params{})
          .int64(0, 0),
      0);  // kept emptied
}

TEST(PgOutbox, ADatabaseWithoutTheOutboxIsRefusedByName) {
  PostgresEngine db;
  { PgEventStore old{db.url(), {.migrate_to = 4}}; }
  try {
    PgOutbox outbox{db.url(), {.owner = "a"}};
    FAIL() << "opened without alert_outbox";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("no alert_outbox table"), std::string::npos)
        << error.what();
  }
}

// A database a schema-4 collector left, with events, is migrated on open: the outbox is there,
// the events and their resend rule are as before.
TEST(PgOutbox, ASchema4DatabaseIsMigratedToTheSharedOutbox) {
  PostgresEngine db;
  const events::Event stored{kNow, "a", 1, events::EventType::agent_start, events::Severity::info,
                             {},   {}};
  {
    PgEventStore old{db.url(), {.migrate_to = 4}};
    old.ensure_partitions(kNow);
    EXPECT_EQ(old.insert(std::vector{stored}), 1u);
  }
  PgEventStore store{db.url()};
  EXPECT_EQ(store.schema_version(), 5);
  EXPECT_EQ(store.query({}).size(), 1u);
  EXPECT_EQ(store.insert(std::vector{stored}), 0u);
  PgOutbox outbox{db.url(), {.owner = "a"}};
  outbox.add({item("n1")});
  EXPECT_EQ(outbox.waiting("webhook-1"), 1u);
}

}  // namespace
}  // namespace cw::store
