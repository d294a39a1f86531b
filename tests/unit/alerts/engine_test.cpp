// tests/unit/alerts/engine_test.cpp — grouping, resolution, silences, suppressions and counters of
// the alert engine, with literal events and a clock that moves only when the test says so.
#include "alerts/engine.h"

#include <gtest/gtest.h>

#include "alert_events.h"

namespace cw::alerts {
namespace {

using namespace testing;

struct EngineTest : ::testing::Test {
  AlertEngine engine;
  Timestamp now = t0();
  std::vector<Notification> feed(const Event& e, Duration later = 1s) {
    now += later;
    return engine.observe(e, now);
  }
};

TEST_F(EngineTest, DriftFiresOnceAndGroupsRepeatsIntoOneAlertWithACount) {
  auto first = feed(drift("node-1", 1));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].alert.rule, "time_drift");
  EXPECT_EQ(first[0].alert.status, AlertStatus::firing);
  EXPECT_EQ(first[0].alert.labels.at("agent"), "node-1");
  EXPECT_EQ(first[0].id, first[0].alert.id + "/1");
  EXPECT_TRUE(feed(drift("node-1", 2), 60s).empty());  // joined, update waits for the window
  EXPECT_TRUE(feed(drift("node-1", 3), 60s).empty());
  auto alerts = engine.alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].count, 3u);
  EXPECT_EQ(alerts[0].last_seen - alerts[0].first_seen, 120s);
  EXPECT_EQ(engine.counters().by_rule.at("time_drift").raised, 1u);
  EXPECT_EQ(engine.counters().by_rule.at("time_drift").events, 3u);
}

TEST_F(EngineTest, AnUpdateWithTheNewCountGoesAfterTheGroupWindow) {
  feed(drift("node-1", 1));
  feed(drift("node-1", 2), 10s);
  EXPECT_TRUE(engine.tick(now + 30min).empty());
  auto update = engine.tick(now + 1h + 1s);
  // The window is 1 h for drift; the alert is also past its resolve timeout by then.
  ASSERT_FALSE(update.empty());
  EXPECT_EQ(update.back().alert.status, AlertStatus::resolved);
  EXPECT_EQ(update.back().alert.resolved_by, "resolve_timeout");
}

TEST_F(EngineTest, ClearedResolvesTheAgentsDriftOnly) {
  feed(drift("node-1", 1));
  feed(drift("node-2", 1));
  auto resolved = feed(cleared("node-1", 2));
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].alert.status, AlertStatus::resolved);
  EXPECT_EQ(resolved[0].alert.labels.at("agent"), "node-1");
  EXPECT_EQ(resolved[0].alert.resolved_by, "time_drift_cleared");
  EXPECT_EQ(resolved[0].id, resolved[0].alert.id + "/2/resolved");
  // A new drift after the clearing is a new alert.
  auto again = feed(drift("node-1", 3));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].alert.id, resolved[0].alert.id);
}

TEST_F(EngineTest, HeartbeatsAndInfoEventsDoNotAlert) {
  EXPECT_TRUE(feed(heartbeat("node-1", 1)).empty());
  Event info{t0(), "node-1", 2, EventType::ntp_recovered, Severity::info, {}, {}};
  EXPECT_TRUE(feed(info).empty());
  EXPECT_TRUE(engine.alerts().empty());
}

TEST_F(EngineTest, AScanFiresAndItsFinalReportResolvesIt) {
  auto fired = feed(scan("node-1", 1, "10.0.0.5", true));
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].alert.rule, "scan");
  EXPECT_EQ(fired[0].alert.labels.at("source"), "10.0.0.5");
  auto ended = feed(scan("node-1", 2, "10.0.0.5", false));
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].alert.status, AlertStatus::resolved);
  EXPECT_EQ(ended[0].alert.count, 2u);
  EXPECT_EQ(ended[0].alert.resolved_by, "ended");
}

TEST_F(EngineTest, AShortScanReportedOnlyWhenOverIsNotifiedFiringThenResolved) {
  auto both = feed(scan("node-1", 1, "10.0.0.5", false));
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].alert.status, AlertStatus::firing);
  EXPECT_EQ(both[1].alert.status, AlertStatus::resolved);
  EXPECT_EQ(both[1].id, both[0].alert.id + "/2/resolved");
}

// Two collectors on one store whose engines have different pasts (so different opening orders)
// open the same alert for the same agent event: same id, same first notification id, which is
// what their shared outbox keys on; a resolve's id says so, so it is never taken for an update.
TEST_F(EngineTest, TheSameAgentEventOpensTheSameAlertIdWhateverTheEnginesPast) {
  AlertEngine other;
  other.observe(drift("node-9", 1), now);  // this one opened another alert first
  const auto mine = feed(drift("node-1", 5));
  const auto theirs = other.observe(drift("node-1", 5), now);
  ASSERT_EQ(mine.size(), 1u);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_NE(mine[0].alert.serial, theirs[0].alert.serial);
  EXPECT_EQ(mine[0].alert.id, theirs[0].alert.id);
  EXPECT_EQ(mine[0].id, theirs[0].id);
  const auto resolved = feed(cleared("node-1", 6));
  const auto also = other.observe(cleared("node-1", 6), now);
  ASSERT_EQ(resolved.size(), 1u);
  ASSERT_EQ(also.size(), 1u);
  EXPECT_EQ(resolved[0].id, also[0].id);
  EXPECT_EQ(resolved[0].id, mine[0].alert.id + "/2/resolved");
}

// Incidents are numbered by each collector: the same number from two collectors is two incidents,
// told apart by the collectors' origins; one collector restarted (same origin) keeps its ids.
TEST_F(EngineTest, IncidentsOfTwoCollectorsNeverShareAnIdButAnAgentsEventIsOneAlert) {
  const Event incident{
      t0(), "collector", events::kCollectorSequenceBit | 1, EventType::incident, Severity::high,
      {},   {}};
  AlertEngine a, a_again, b;
  a.set_origin("host-a tcp://0.0.0.0:5555");
  a_again.set_origin("host-a tcp://0.0.0.0:5555");
  b.set_origin("host-b tcp://0.0.0.0:5555");
  const auto from_a = a.observe(incident, now), again = a_again.observe(incident, now),
             from_b = b.observe(incident, now);
  ASSERT_EQ(from_a.size(), 1u);
  ASSERT_EQ(from_b.size(), 1u);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(from_a[0].alert.id, from_b[0].alert.id);
  EXPECT_EQ(from_a[0].alert.id, again[0].alert.id);
  EXPECT_EQ(a.observe(drift("node-1", 5), now)[0].alert.id,
            b.observe(drift("node-1", 5), now)[0].alert.id);
}

TEST_F(EngineTest, ResentEventsAreNotCountedTwice) {
  engine.seed_sequence("node-1", 10);
  EXPECT_TRUE(feed(drift("node-1", 10)).empty());
  EXPECT_EQ(feed(drift("node-1", 11)).size(), 1u);
  EXPECT_TRUE(feed(drift("node-1", 11)).empty());
  EXPECT_EQ(engine.counters().events_duplicate, 2u);
  EXPECT_EQ(engine.alerts()[0].count, 1u);
}

TEST_F(EngineTest, EventsFurtherApartThanTheWindowOpenANewAlert) {
  feed(scan("node-1", 1, "10.0.0.5", true));
  auto later = feed(scan("node-1", 2, "10.0.0.5", true), 11min);
  // the old one resolves (its group window passed), the new one fires
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].alert.status, AlertStatus::resolved);
  EXPECT_EQ(later[0].alert.resolved_by, "group_window");
  EXPECT_EQ(later[1].alert.status, AlertStatus::firing);
}

TEST_F(EngineTest, BelowTheMinimumSeverityIsTrackedNotNotified) {
  auto config = default_config();
  config.min_severity = Severity::critical;
  engine.set_config(config);
  EXPECT_TRUE(feed(drift("node-1", 1)).empty());
  EXPECT_EQ(engine.alerts().size(), 1u);
  EXPECT_EQ(engine.counters().below_min_severity, 1u);
}

TEST_F(EngineTest, ASilenceKeepsMatchingAlertsQuietUntilItEnds) {
  Silence silence;
  silence.match = parse_matcher("agent=node-*").value();
  silence.ends = now + 10min;
  silence.comment = "maintenance";
  const auto id = engine.add_silence(silence, now).id;
  EXPECT_TRUE(feed(drift("node-1", 1)).empty());
  EXPECT_EQ(engine.alerts()[0].silenced_by, id);
  EXPECT_EQ(engine.silences()[0].silenced, 1u);
  EXPECT_EQ(engine.counters().by_rule.at("time_drift").silenced, 1u);
  EXPECT_TRUE(engine.tick(now + 5min).empty());
  auto after = engine.tick(now + 11min);  // still firing when the silence ends: notified now
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].alert.status, AlertStatus::firing);
}

// The tick leaves notified, unchanged alerts out of its pass while no silence is active: one that
// starts after the alert was notified must still mark it at the next tick, and its end clear it.
TEST_F(EngineTest, ASilenceAddedAfterTheAlertWasNotifiedMarksItAtTheNextTick) {
  ASSERT_EQ(feed(drift("node-1", 1)).size(), 1u);
  EXPECT_TRUE(engine.tick(now + 1s).empty());
  Silence silence;
  silence.match = parse_matcher("agent=node-1").value();
  silence.ends = now + 10min;
  const auto id = engine.add_silence(silence, now).id;
  EXPECT_TRUE(engine.tick(now + 2s).empty());
  EXPECT_EQ(engine.alerts()[0].silenced_by, id);
  EXPECT_EQ(engine.counters().by_rule.at("time_drift").silenced, 1u);
  ASSERT_TRUE(engine.expire_silence(id, now + 3s));
  engine.take_changes();
  EXPECT_TRUE(engine.tick(now + 4s).empty());  // notified already, nothing new to say
  EXPECT_TRUE(engine.alerts()[0].silenced_by.empty());
  EXPECT_EQ(engine.take_changes().changed.size(), 1u);  // the cleared mark is saved
  EXPECT_TRUE(engine.tick(now + 5s).empty());
  EXPECT_TRUE(engine.take_changes().changed.empty());  // and the next tick changes nothing
}

TEST_F(EngineTest, AFalsePositiveSuppressesTheNextIdenticalAlertAndIsCounted) {
  auto fired = feed(scan("node-1", 1, "10.0.0.5", true));
  const auto id = fired[0].alert.id;
  auto suppression =
      engine
          .mark_false_positive(
              id, {"our vulnerability scanner", SuppressionScope::source, {}, "ana"}, now)
          .value();
  EXPECT_EQ(suppression.rule, "scan");
  EXPECT_EQ(suppression.match.at("source"), "10.0.0.5");
  auto resolved = engine.tick(now);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].alert.resolved_by, "false_positive");
  // The same source again: suppressed. Another source: alerts.
  EXPECT_TRUE(feed(scan("node-1", 2, "10.0.0.5", true), 20min).empty());
  EXPECT_EQ(feed(scan("node-1", 3, "10.0.0.6", true)).size(), 1u);
  EXPECT_EQ(engine.suppressions()[0].suppressed, 1u);
  const auto& counts = engine.counters().by_rule.at("scan");
  EXPECT_EQ(counts.false_positive, 1u);
  EXPECT_EQ(counts.suppressed, 1u);
  EXPECT_EQ(counts.raised, 2u);
  EXPECT_EQ(engine.counters().by_detector.at("port_scan").suppressed, 1u);
  EXPECT_TRUE(engine.remove_suppression(suppression.id));
  EXPECT_EQ(feed(scan("node-1", 4, "10.0.0.5", true)).size(), 1u);
}

TEST_F(EngineTest, SuppressionScopesAndExpiry) {
  auto fired = feed(scan("node-1", 1, "10.0.0.5", true, EventType::port_scan, "10.9.0.2"));
  FalsePositive verdict{"test lab", SuppressionScope::source_destination, now + 1h, "ana"};
  auto suppression = engine.mark_false_positive(fired[0].alert.id, verdict, now).value();
  EXPECT_EQ(suppression.match.at("destination"), "10.9.0.2");
  EXPECT_EQ(engine.tick(now).size(), 1u);  // the alert it came from resolves
  EXPECT_TRUE(feed(scan("node-1", 2, "10.0.0.5", true, EventType::port_scan, "10.9.0.2")).empty());
  EXPECT_EQ(feed(scan("node-1", 3, "10.0.0.5", true, EventType::port_scan, "10.9.0.3")).size(), 1u);
  // expired: alerts again
  EXPECT_FALSE(
      feed(scan("node-2", 4, "10.0.0.5", true, EventType::port_scan, "10.9.0.2"), 2h).empty());
}

TEST_F(EngineTest, AcknowledgingIsCountedOnceAndUnknownIdsAreErrors) {
  auto fired = feed(drift("node-1", 1));
  EXPECT_TRUE(engine.acknowledge(fired[0].alert.id, "ana", now).value().acknowledged);
  engine.acknowledge(fired[0].alert.id, "ana", now);
  EXPECT_EQ(engine.counters().by_rule.at("time_drift").acknowledged, 1u);
  EXPECT_EQ(engine.counters().by_detector.at("time_drift").acknowledged, 1u);
  EXPECT_FALSE(engine.acknowledge("nope", "ana", now).has_value());
}

TEST_F(EngineTest, AgentDownResolvesWhenItComesBack) {
  Event down{
      t0(), "node-1", events::kCollectorSequenceBit | 1, EventType::agent_down, Severity::high,
      {},   {}};
  ASSERT_EQ(feed(down).size(), 1u);
  EXPECT_TRUE(engine.tick(now + 3h).empty());  // no timeout: only agent_up resolves it
  Event up = down;
  up.type = EventType::agent_up;
  up.sequence = events::kCollectorSequenceBit | 2;
  auto resolved = feed(up, 3h);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].alert.resolved_by, "agent_up");
}

TEST_F(EngineTest, OperatorRulesComeFirstAndCanSilenceADetector) {
  auto config = default_config();
  Rule quiet;
  quiet.name = "lab-scans-are-fine";
  quiet.match = parse_matcher("type=port_scan, agent=lab-*").value();
  quiet.alert = false;
  config.rules.insert(config.rules.begin(), quiet);
  engine.set_config(config);
  EXPECT_TRUE(feed(scan("lab-1", 1, "10.0.0.5", true)).empty());
  EXPECT_EQ(feed(scan("prod-1", 1, "10.0.0.5", true)).size(), 1u);
}

// The detectors' own types alert under their built-in rules (not the catch-all `other`).
TEST_F(EngineTest, TamperingAndNtpAnomaliesHaveTheirOwnRules) {
  Event tamper{t0(), "node-1", 1, EventType::time_tampering, Severity::critical, {}, {}};
  tamper.attributes.push_back({"kind", std::string("faketime_preload")});
  auto fired = feed(tamper);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].alert.rule, "time_tampering");
  EXPECT_EQ(fired[0].alert.labels.at("kind"), "faketime_preload");
  auto storm = scan("node-1", 2, "10.0.0.9", false, EventType::ntp_anomaly);
  std::get<events::NetworkData>(storm.data).kind = "kod_storm";
  storm.severity = Severity::high;
  fired = feed(storm);
  ASSERT_FALSE(fired.empty());
  EXPECT_EQ(fired[0].alert.rule, "ntp_wire");
  EXPECT_EQ(fired[0].alert.labels.at("kind"), "kod_storm");
}

}  // namespace
}  // namespace cw::alerts
