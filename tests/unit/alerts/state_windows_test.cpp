// tests/unit/alerts/state_windows_test.cpp — the correlation windows and the evaluation progress
// as stored documents: they round-trip, damaged or inconsistent ones are refused with a reason,
// and a correlator restored from them continues its campaigns and fleet incidents (one incident
// across a restart, not a new one).
#include <gtest/gtest.h>

#include "alert_events.h"
#include "alerts/alerting.h"
#include "alerts/state.h"

namespace cw::alerts {
namespace {

using namespace testing;

CorrelationWindows stored(const Alerting& from) {
  return decode_windows(encode_windows(from.windows())).value();
}

TEST(StateWindows, ACampaignSpanningARestartIsOneIncident) {
  Alerting before;
  const Timestamp now = t0();
  before.observe(scan("ns-a", 1, "10.200.0.1", true), now);
  ASSERT_EQ(before.observe(scan("ns-b", 1, "10.200.0.1", true), now + 2s).incidents.size(), 1u);
  const auto windows = stored(before);
  EXPECT_EQ(windows, before.windows());

  Alerting after;
  after.resume(windows, before.incident_sequence());
  auto third = after.observe(scan("ns-c", 1, "10.200.0.1", true), now + 3s);
  ASSERT_EQ(third.incidents.size(), 1u);
  EXPECT_EQ(text_attribute(third.incidents[0], "agents"), "ns-a,ns-b,ns-c");
  EXPECT_EQ(text_attribute(third.incidents[0], "members"), "ns-a:1,ns-b:1,ns-c:1");
  EXPECT_EQ(third.incidents[0].sequence, events::kCollectorSequenceBit | 2);
  // Quiet for the window after the restart too: it ends.
  auto later = after.tick(now + 20min);
  ASSERT_EQ(later.incidents.size(), 1u);
  EXPECT_EQ(text_attribute(later.incidents[0], "phase"), "ended");
}

TEST(StateWindows, AnOpenFleetIncidentKeepsFoldingItsMembersAfterARestart) {
  Alerting before;
  Timestamp now = t0();
  for (int i = 1; i <= 10; ++i) before.observe(heartbeat("sim-" + std::to_string(i), 1), now);
  std::size_t incidents = 0;
  for (int i = 1; i <= 6; ++i)
    incidents += before.observe(drift("sim-" + std::to_string(i), 2, 5s, "10.0.0.1:123"), now += 1s)
                     .incidents.size();
  ASSERT_EQ(incidents, 1u);
  Alerting after;
  after.resume(stored(before), before.incident_sequence());
  auto again = after.observe(drift("sim-1", 3, 5s, "10.0.0.1:123"), now += 1s);
  EXPECT_TRUE(again.incidents.empty());
  EXPECT_TRUE(again.notifications.empty());
  EXPECT_EQ(after.folded(), 1u);
  // Its members clear: it ends, naming the members it had before the restart.
  std::vector<Event> ended;
  for (int i = 1; i <= 6; ++i) {
    auto out = after.observe(cleared("sim-" + std::to_string(i), 4, "10.0.0.1:123"), now += 1s);
    std::move(out.incidents.begin(), out.incidents.end(), std::back_inserter(ended));
  }
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(text_attribute(ended[0], "phase"), "ended");
}

TEST(StateWindows, InconsistentOrDamagedWindowsAreRefusedWithTheReason) {
  const auto refused = [](std::string_view text) {
    auto decoded = decode_windows(text);
    EXPECT_FALSE(decoded) << text;
    return decoded ? std::string() : decoded.error();
  };
  const std::string empty = R"("by_key":{},"users":{},"up":{},"fleet":{},"campaigns":{})";
  EXPECT_TRUE(decode_windows(R"({"drifting":{},)" + empty + "}"));
  // An index entry without its open drift would make the correlator read past its map.
  EXPECT_NE(refused(R"({"drifting":{},"by_key":{"s/1":{"a":1}},"users":{},"up":{},"fleet":{},)"
                    R"("campaigns":{}})")
                .find("no open drift"),
            std::string::npos);
  EXPECT_NE(refused(R"({"drifting":{"a":["s",2,1,"a:1"]},)" + empty + "}").find("direction"),
            std::string::npos);
  EXPECT_NE(refused(R"({"drifting":[],)" + empty + "}").find("not an object"), std::string::npos);
  EXPECT_NE(refused(R"({"drifting":{},"by_key":{},"users":{},"up":{},"fleet":{},)"
                    R"("campaigns":{"not-an-ip":{"agents":{},"kinds":[],"members":[],)"
                    R"("last":0,"open":false}}})")
                .find("not an address"),
            std::string::npos);
  std::string many = R"({"drifting":{},"by_key":{},"users":{},"up":{},"fleet":{},)"
                     R"("campaigns":{"10.0.0.1":{"agents":{},"kinds":[)";
  for (std::size_t i = 0; i <= kMaxWindowList; ++i)
    many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\"";
  many += R"(],"members":[],"last":0,"open":false}}})";
  EXPECT_NE(refused(many).find("more than"), std::string::npos);
  EXPECT_FALSE(decode_windows("{\"drifting\":"));
}

TEST(StateWindows, TheProgressRoundTripsAndRefusesWhatCannotBe) {
  const EvaluationProgress progress{123456, 41};
  EXPECT_EQ(decode_progress(encode_progress(progress)).value(), progress);
  EXPECT_FALSE(decode_progress(R"({"evaluated_through":-1,"incident_sequence":0})"));
  EXPECT_FALSE(decode_progress(R"({"evaluated_through":1})"));
  EXPECT_FALSE(
      decode_progress(R"({"evaluated_through":1,"incident_sequence":9223372036854775809})"));
}

}  // namespace
}  // namespace cw::alerts
