// tests/unit/apps/collector/alert_read_back_test.cpp — the alerting service behind the writer's
// store (a real SQLite file): when its feed overflows, the batches it skipped are read back from
// the store, so every stored event is evaluated once and in order, and the alerts are those of a
// feed that never overflowed.
#include <gtest/gtest.h>

#include "alert_test_events.h"
#include "apps/collector/alerting/alert_service.h"
#include "apps/collector/alerting/alerting_store.h"
#include "platform/system_clock.h"
#include "support/temp_dir.h"

namespace cw::apps {
namespace {

using namespace std::chrono_literals;

using testing::batch;

struct Outcome {
  nlohmann::ordered_json stats;
  std::size_t alerts = 0;
};

// Stores 3 agents × `batches` × 5 events through the alerting store; the service starts after
// `start_after` batches (until then nothing is evaluated and its feed overflows).
Outcome store_and_evaluate(std::size_t queue_events, std::size_t start_after, std::size_t batches) {
  cw::testing::TempDir dir("cw-alert-feed");
  const auto url = "sqlite:" + (dir / "events.db").string();
  auto store = store::open_store(url);
  transport::IngestQueue incidents(1000);
  AlertServiceOptions options;
  options.state_store = url;
  options.queue_events = queue_events;
  platform::SystemClock clock;
  AlertService service(options, incidents, {}, clock);
  AlertingEventStore writer(*store, service);
  std::uint64_t next = 1;
  for (std::size_t i = 0; i < batches; ++i) {
    if (i == start_after) service.start();
    if (i > start_after) {
      EXPECT_TRUE(service.feed().wait_idle(10s));
    }
    for (const char* agent : {"a", "b", "c"}) writer.insert(batch(agent, next, 5));
    next += 5;
  }
  service.stop();
  Outcome out{service.stats(), 0};
  out.alerts =
      service.with_engine([](alerts::AlertEngine& e, Timestamp) { return e.alerts().size(); });
  return out;
}

TEST(AlertReadBack, SkippedBatchesAreReadBackFromTheStoreInOrder) {
  const auto skipped = store_and_evaluate(10, 8, 16);
  const auto& evaluation = skipped.stats["evaluation"];
  EXPECT_GE(evaluation["gaps"].get<int>(), 1) << evaluation;
  EXPECT_GT(evaluation["gap_events"].get<int>(), 0) << evaluation;
  EXPECT_EQ(evaluation["read_back"], evaluation["gap_events"]) << evaluation;
  EXPECT_EQ(evaluation["read_back_lost"], 0) << evaluation;
  EXPECT_FALSE(evaluation["behind"].get<bool>());
  EXPECT_EQ(skipped.stats["events_seen"], 3 * 16 * 5) << skipped.stats;
  EXPECT_EQ(skipped.stats["events_duplicate"], 0) << skipped.stats;

  const auto reference = store_and_evaluate(100000, 0, 16);
  EXPECT_EQ(reference.stats["evaluation"]["gaps"], 0);
  EXPECT_EQ(reference.stats["events_seen"], 3 * 16 * 5);
  EXPECT_GT(reference.alerts, 0u);
  EXPECT_EQ(skipped.alerts, reference.alerts);
}

TEST(AlertReadBack, AGapStillOpenAtStopIsReadToTheEnd) {
  const auto never_started = store_and_evaluate(10, 1000, 6);
  EXPECT_EQ(never_started.stats["evaluation"]["gaps"], 1);
  EXPECT_EQ(never_started.stats["events_seen"], 3 * 6 * 5) << never_started.stats;
  EXPECT_EQ(never_started.stats["events_duplicate"], 0);
}

}  // namespace
}  // namespace cw::apps
