// tests/unit/alerts/state_test.cpp — the engine's state documents: each encodes and decodes back,
// damaged text is an error naming the document, an engine restored from what another stored
// keeps its open alerts (grouping continues), acknowledgements, suppressions, silences and
// counters; take_changes names what to store; escalation.
#include "alerts/state.h"

#include <gtest/gtest.h>

#include "alert_events.h"

namespace cw::alerts {
namespace {

using namespace testing;

struct StateTest : ::testing::Test {
  AlertEngine engine;
  Timestamp now = t0();
  std::vector<Notification> feed(AlertEngine& e, const Event& event, Duration later = 1s) {
    now += later;
    return e.observe(event, now);
  }
  // What a stored engine would be read back as.
  EngineState stored(AlertEngine& from) {
    EngineState state;
    for (const auto& alert : from.alerts())
      state.alerts.push_back(decode_alert(encode_alert(alert)).value());
    for (const auto& s : from.silences())
      state.silences.push_back(decode_silence(encode_silence(s)).value());
    for (const auto& s : from.suppressions())
      state.suppressions.push_back(decode_suppression(encode_suppression(s)).value());
    auto totals = decode_totals(encode_totals({from.counters(), from.next_id()})).value();
    state.counters = totals.counters;
    state.next_id = totals.next_id;
    return state;
  }
};

TEST_F(StateTest, AnAlertRoundTrips) {
  auto fired = feed(engine, drift("node-\"<1>", 1));
  engine.acknowledge(fired[0].alert.id, "ana", now);
  const auto alert = engine.alerts().front();
  const auto back = decode_alert(encode_alert(alert)).value();
  EXPECT_EQ(encode_alert(back), encode_alert(alert));
  EXPECT_EQ(back.labels, alert.labels);
  EXPECT_EQ(back.first_seen, alert.first_seen);
  EXPECT_TRUE(back.acknowledged);
  EXPECT_EQ(back.acknowledged_by, "ana");
  EXPECT_EQ(back.members, alert.members);
}

// An agent's name and an event's fields are whatever the agent sent: bytes that are not UTF-8 are
// saved as U+FFFD instead of throwing on the thread that saves the state.
TEST_F(StateTest, BytesThatAreNotUtf8AreSavedReplaced) {
  feed(engine, drift("node-\xff\xfe", 1));
  const auto alert = engine.alerts().front();
  std::string text;
  ASSERT_NO_THROW(text = encode_alert(alert));
  const auto back = decode_alert(text).value();
  EXPECT_NE(back.group_key.find("\xef\xbf\xbd"), std::string::npos) << back.group_key;
  ASSERT_NO_THROW(encode_totals({engine.counters(), engine.next_id()}));
}

TEST_F(StateTest, DamagedDocumentsAreErrorsNamingWhatIsWrong) {
  EXPECT_EQ(decode_alert("not json").error().rfind("alert state: ", 0), 0u);
  EXPECT_FALSE(decode_alert("[]").has_value());
  EXPECT_FALSE(decode_alert(R"({"id":"x"})").has_value());
  auto fired = feed(engine, drift("node-1", 1));
  auto text = encode_alert(engine.alerts().front());
  auto bad = text;
  bad.replace(bad.rfind("\"high\""), 6, "\"huge\"");
  EXPECT_NE(decode_alert(bad).error().find("huge"), std::string::npos);
  EXPECT_FALSE(decode_silence(R"({"id":"q1","match":"a=~(","starts":0,"ends":1,"comment":"",)"
                              R"("created_by":"","silenced":0})")
                   .has_value());
  EXPECT_FALSE(decode_suppression(R"({"id":"s1","scope":"planet"})").has_value());
  EXPECT_FALSE(decode_totals(R"({"next_id":1,"by_rule":{"r":[1,2]},"by_detector":{},)"
                             R"("totals":[0,0,0,0,0]})")
                   .has_value());
}

TEST_F(StateTest, ARestoredEngineContinuesWhereTheStoredOneStopped) {
  auto drifted = feed(engine, drift("node-1", 1));
  engine.acknowledge(drifted[0].alert.id, "ana", now);
  auto scanned = feed(engine, scan("node-1", 2, "10.0.0.5", true));
  engine.mark_false_positive(scanned[0].alert.id, {"scanner", SuppressionScope::source, {}, "ana"},
                             now);
  Silence silence;
  silence.match = parse_matcher("agent=node-9").value();
  silence.ends = now + 1h;
  engine.add_silence(silence, now);
  engine.tick(now);

  AlertEngine restarted;
  restarted.restore(stored(engine));
  ASSERT_EQ(restarted.alerts().size(), 2u);
  EXPECT_TRUE(restarted.alert(drifted[0].alert.id)->acknowledged);
  // the open drift alert keeps grouping: no new alert, its count goes on
  EXPECT_TRUE(feed(restarted, drift("node-1", 3)).empty());
  EXPECT_EQ(restarted.alert(drifted[0].alert.id)->count, 2u);
  // the false positive's suppression still applies, and is counted
  EXPECT_TRUE(feed(restarted, scan("node-1", 4, "10.0.0.5", true), 20min).empty());
  EXPECT_EQ(restarted.suppressions().at(0).suppressed, 1u);
  EXPECT_EQ(restarted.counters().by_rule.at("scan").false_positive, 1u);
  EXPECT_EQ(restarted.counters().by_rule.at("time_drift").acknowledged, 1u);
  // the silence still keeps node-9 quiet
  EXPECT_TRUE(feed(restarted, drift("node-9", 5)).empty());
  // new ids do not collide with stored ones
  const auto made = restarted.add_silence(silence, now);
  for (const auto& s : engine.silences()) EXPECT_NE(s.id, made.id);
}

TEST_F(StateTest, TakeChangesNamesTheAlertsThatChangedAndThenNothing) {
  auto fired = feed(engine, drift("node-1", 1));
  auto changes = engine.take_changes();
  ASSERT_EQ(changes.changed.size(), 1u);
  EXPECT_TRUE(engine.take_changes().changed.empty());
  engine.acknowledge(fired[0].alert.id, "ana", now);
  changes = engine.take_changes();
  ASSERT_EQ(changes.changed.size(), 1u);
  EXPECT_TRUE(changes.changed[0].acknowledged);
}

TEST_F(StateTest, EscalatingRaisesTheSeverityOnceAndNotifiesAtOnce) {
  auto fired = feed(engine, scan("node-1", 1, "10.0.0.5", true));
  ASSERT_EQ(fired[0].alert.severity, Severity::medium);
  auto up = engine.escalate(fired[0].alert.id, "ana", now).value();
  EXPECT_TRUE(up.escalated);
  EXPECT_EQ(up.severity, Severity::high);
  auto sent = engine.tick(now);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].alert.labels.at("severity"), "high");
  engine.escalate(fired[0].alert.id, "ana", now);  // once only
  EXPECT_EQ(engine.alert(fired[0].alert.id)->severity, Severity::high);
  EXPECT_EQ(engine.counters().by_rule.at("scan").escalated, 1u);
  EXPECT_FALSE(engine.escalate("nope", "ana", now).has_value());
}

}  // namespace
}  // namespace cw::alerts
