// tests/unit/apps/collector/alert_resume_test.cpp — the alerting state keeps the store position
// it was evaluated through (a real SQLite file): events stored after it but never evaluated (a
// kill -9 with batches in the feed) are evaluated first by the next collector, each once, and
// the alerts are those of a collector that never stopped.
#include <gtest/gtest.h>

#include <map>

#include "alert_test_events.h"
#include "apps/collector/alerting/alert_service.h"
#include "apps/collector/alerting/alerting_store.h"
#include "platform/system_clock.h"
#include "support/temp_dir.h"

namespace cw::apps {
namespace {

using namespace std::chrono_literals;
using testing::batch;

constexpr std::size_t kBatch = 5;
const std::vector<std::string> kAgents{"a", "b", "c"};

struct Run {
  nlohmann::ordered_json stats;
  std::map<std::string, std::uint64_t> counts;  // group key → count
};

AlertServiceOptions options_for(const std::string& url) {
  AlertServiceOptions options;
  options.state_store = url;
  return options;
}

// Batches [from, to) of every agent through a started service on `url`, then stops it.
Run serve(const std::string& url, store::EventStore& store, std::size_t from, std::size_t to) {
  transport::IngestQueue incidents(1000);
  platform::SystemClock clock;
  AlertService service(options_for(url), incidents, store.agents(), clock);
  AlertingEventStore writer(store, service);
  service.start();
  EXPECT_TRUE(service.feed().wait_idle(10s));  // the restart gap, if any
  for (std::size_t i = from; i < to; ++i)
    for (const auto& agent : kAgents) writer.insert(batch(agent, 1 + i * kBatch, kBatch));
  service.stop();
  Run run{service.stats(), {}};
  for (const auto& alert :
       service.with_engine([](alerts::AlertEngine&e, Timestamp) { return e.alerts(); }))
    run.counts[alert.group_key] += alert.count;
  return run;
}

void store_only(store::EventStore& store, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i)
    for (const auto& agent : kAgents) store.insert(batch(agent, 1 + i * kBatch, kBatch));
}

TEST(AlertResume, EventsStoredAfterTheSavedPositionAreEvaluatedOnceAtTheNextStart) {
  cw::testing::TempDir dir("cw-alert-resume");
  const auto url = "sqlite:" + (dir / "events.db").string();
  auto store = store::open_store(url);
  serve(url, *store, 0, 8);
  store_only(*store, 8, 16);  // stored, never evaluated: what a kill -9 leaves in the feed
  const auto resumed = serve(url, *store, 16, 20);
  const auto& evaluation = resumed.stats["evaluation"];
  EXPECT_EQ(evaluation["resumed"], kAgents.size() * 8 * kBatch) << evaluation;
  EXPECT_EQ(resumed.stats["events_seen"], kAgents.size() * 20 * kBatch) << resumed.stats;
  EXPECT_EQ(resumed.stats["events_duplicate"], 0) << resumed.stats;
  EXPECT_EQ(evaluation["evaluated_through"], store->last_position());

  cw::testing::TempDir other("cw-alert-resume-ref");
  const auto reference_url = "sqlite:" + (other / "events.db").string();
  auto reference_store = store::open_store(reference_url);
  const auto reference = serve(reference_url, *reference_store, 0, 20);
  EXPECT_FALSE(reference.counts.empty());
  EXPECT_EQ(resumed.counts, reference.counts);
}

TEST(AlertResume, AStartWithNothingLeftReadsNothingBack) {
  cw::testing::TempDir dir("cw-alert-resume");
  const auto url = "sqlite:" + (dir / "events.db").string();
  auto store = store::open_store(url);
  serve(url, *store, 0, 4);
  const auto again = serve(url, *store, 4, 6);
  EXPECT_EQ(again.stats["evaluation"]["resumed"], 0);
  EXPECT_EQ(again.stats["events_seen"], kAgents.size() * 6 * kBatch);
  EXPECT_EQ(again.stats["events_duplicate"], 0);
}

// A state saved before positions were kept (or an empty one): what is stored already counts as
// evaluated, as before.
TEST(AlertResume, WithoutASavedPositionTheStoredEventsAreNotEvaluatedAgain) {
  cw::testing::TempDir dir("cw-alert-resume");
  const auto url = "sqlite:" + (dir / "events.db").string();
  auto store = store::open_store(url);
  store_only(*store, 0, 4);
  const auto run = serve(url, *store, 4, 6);
  EXPECT_EQ(run.stats["evaluation"]["resumed"], 0);
  EXPECT_EQ(run.stats["events_seen"], kAgents.size() * 2 * kBatch);
  EXPECT_EQ(run.stats["events_duplicate"], 0);
}

}  // namespace
}  // namespace cw::apps
