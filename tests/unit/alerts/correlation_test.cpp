// tests/unit/alerts/correlation_test.cpp — fleet time incidents and campaigns.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "alert_events.h"
#include "alerts/alerting.h"
#include "alerts/labels.h"

namespace cw::alerts {
namespace {

using namespace testing;

std::string agent(int i) { return fmt::format("sim-{:04d}", i); }

TEST(Correlation, TwentyAgentsDriftingThroughOneServerMakeOneIncidentNamingIt) {
  Alerting alerting;
  Timestamp now = t0();
  for (int i = 1; i <= 30; ++i) alerting.observe(heartbeat(agent(i), 1), now);
  std::vector<Event> incidents;
  std::size_t drift_alerts = 0;
  for (int i = 1; i <= 20; ++i) {
    now += 1s;
    auto out = alerting.observe(drift(agent(i), 2, 5s, "10.0.0.1:123"), now);
    for (const auto& n : out.notifications) drift_alerts += n.alert.rule == "time_drift";
    std::move(out.incidents.begin(), out.incidents.end(), std::back_inserter(incidents));
  }
  ASSERT_EQ(incidents.size(), 1u);
  const auto& incident = incidents[0];
  EXPECT_EQ(incident.type, EventType::incident);
  EXPECT_EQ(incident.agent_id, "collector");
  EXPECT_EQ(incident.sequence, events::kCollectorSequenceBit | 1);
  EXPECT_EQ(text_attribute(incident, "server"), "10.0.0.1:123");
  EXPECT_EQ(text_attribute(incident, "incident"), "fleet_time");
  EXPECT_EQ(text_attribute(incident, "direction"), "behind");
  // No agent had named the server before: the first three that drift through it are all its
  // known users while 27 others are fine, which is enough.
  EXPECT_EQ(text_attribute(incident, "agents"), "sim-0001,sim-0002,sim-0003");
  EXPECT_EQ(text_attribute(incident, "members"), "sim-0001:2,sim-0002:2,sim-0003:2");
  // The first two alerted alone; every later one is part of the incident.
  EXPECT_EQ(drift_alerts, 2u);
  EXPECT_EQ(alerting.folded(), 18u);
  std::size_t incident_alerts = 0;
  for (const auto& a : alerting.engine().alerts()) incident_alerts += a.rule == "incident";
  EXPECT_EQ(incident_alerts, 1u);
}

TEST(Correlation, AnAgentThatTurnsTheOtherWayNoLongerCountsForTheFirstDirection) {
  CorrelationConfig config;
  config.fleet_min_agents = 3;
  config.fleet_fraction = 1.0;  // only the count decides here
  Correlator correlator(config);
  Timestamp now = t0();
  for (int i = 1; i <= 10; ++i) correlator.observe(cleared(agent(i), 1, "10.0.0.5:123"), now);
  EXPECT_TRUE(correlator.observe(drift(agent(1), 2, 3s, "10.0.0.5:123"), now).empty());
  EXPECT_TRUE(correlator.observe(drift(agent(2), 2, 3s, "10.0.0.5:123"), now).empty());
  // sim-0002 now drifts the other way: two behind would need a third, and only one is left.
  EXPECT_TRUE(correlator.observe(drift(agent(2), 3, -3s, "10.0.0.5:123"), now).empty());
  EXPECT_TRUE(correlator.observe(drift(agent(3), 2, 3s, "10.0.0.5:123"), now).empty());
  auto out = correlator.observe(drift(agent(4), 2, 3s, "10.0.0.5:123"), now);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(text_attribute(out[0], "agents"), "sim-0001,sim-0003,sim-0004");
  // Once open, a later report joins without a second incident.
  EXPECT_TRUE(correlator.observe(drift(agent(5), 2, 3s, "10.0.0.5:123"), now).empty());
  EXPECT_TRUE(correlator.folded(drift(agent(5), 2, 3s, "10.0.0.5:123")));
}

TEST(Correlation, AllUsersOfOneServerDriftingWhileOthersDoNotNameThatServer) {
  CorrelationConfig config;
  config.fleet_min_agents = 50;
  Correlator correlator(config);
  Timestamp now = t0();
  for (int i = 1; i <= 20; ++i)
    correlator.observe(cleared(agent(i), 1, i <= 3 ? "10.0.0.9:123" : "10.0.0.1:123"), now);
  EXPECT_TRUE(correlator.observe(drift(agent(1), 2, -3s, "10.0.0.9:123"), now).empty());
  EXPECT_TRUE(correlator.observe(drift(agent(2), 2, -3s, "10.0.0.9:123"), now).empty());
  auto out = correlator.observe(drift(agent(3), 2, -3s, "10.0.0.9:123"), now);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(text_attribute(out[0], "server"), "10.0.0.9:123");
  EXPECT_EQ(text_attribute(out[0], "direction"), "ahead");
  EXPECT_EQ(text_attribute(out[0], "reason"), "every agent using this server drifts");
}

TEST(Correlation, OppositeDirectionsOrStaleReportsAreNotAFleet) {
  Correlator correlator;
  Timestamp now = t0();
  for (int i = 1; i <= 30; ++i) correlator.observe(cleared(agent(i), 1), now);  // 20 %: 6
  for (int i = 1; i <= 4; ++i) EXPECT_TRUE(correlator.observe(drift(agent(i), 2, 5s), now).empty());
  EXPECT_TRUE(correlator.observe(drift(agent(5), 2, -5s), now).empty());
  // agent 1..4 reported 10 minutes ago: no longer within the window
  EXPECT_TRUE(correlator.observe(drift(agent(6), 2, 5s), now + 10min).empty());
}

TEST(Correlation, TheFleetIncidentEndsWhenEveryMemberHasCleared) {
  Alerting alerting;
  Timestamp now = t0();
  for (int i = 1; i <= 5; ++i) alerting.observe(drift(agent(i), 1, 5s), now);
  for (int i = 1; i <= 4; ++i)
    EXPECT_TRUE(alerting.observe(cleared(agent(i), 2), now).incidents.empty());
  auto out = alerting.observe(cleared(agent(5), 2), now + 1s);
  ASSERT_EQ(out.incidents.size(), 1u);
  EXPECT_EQ(text_attribute(out.incidents[0], "phase"), "ended");
  bool resolved = false;
  for (const auto& n : out.notifications)
    resolved |= n.alert.rule == "incident" && n.alert.status == AlertStatus::resolved;
  EXPECT_TRUE(resolved);
}

TEST(Correlation, OneSourceAttackingThreeAgentsIsOneCampaignListingAgentsAndKinds) {
  Alerting alerting;
  Timestamp now = t0();
  auto first = alerting.observe(scan("ns-a", 1, "10.200.0.1", true), now);
  EXPECT_TRUE(first.incidents.empty());
  auto second =
      alerting.observe(scan("ns-b", 1, "10.200.0.1", true, EventType::syn_flood), now + 2s);
  ASSERT_EQ(second.incidents.size(), 1u);
  EXPECT_EQ(text_attribute(second.incidents[0], "kinds"), "port_scan,syn_flood");
  auto third = alerting.observe(scan("ns-c", 1, "10.200.0.1", true), now + 3s);
  ASSERT_EQ(third.incidents.size(), 1u);
  EXPECT_EQ(text_attribute(third.incidents[0], "agents"), "ns-a,ns-b,ns-c");
  // One incident alert, counted twice.
  std::vector<Alert> incident_alerts;
  for (const auto& a : alerting.engine().alerts())
    if (a.rule == "incident") incident_alerts.push_back(a);
  ASSERT_EQ(incident_alerts.size(), 1u);
  EXPECT_EQ(incident_alerts[0].count, 2u);
  EXPECT_EQ(incident_alerts[0].labels.at("source"), "10.200.0.1");
  // Quiet for the window: the campaign ends and its alert resolves.
  auto later = alerting.tick(now + 20min);
  ASSERT_EQ(later.incidents.size(), 1u);
  EXPECT_EQ(text_attribute(later.incidents[0], "phase"), "ended");
  EXPECT_EQ(alerting.engine().alert(incident_alerts[0].id)->status, AlertStatus::resolved);
}

// Type and data travel separately on the wire, so an authorized agent can send an attack type
// with no network data (a stored row with an empty payload reads back the same way). It used to
// throw std::bad_variant_access out of observe(), and the collector then skipped every event after
// it in that slice, other agents' included.
TEST(Correlation, AnAttackTypeWithoutItsNetworkDataIsIgnoredNotThrown) {
  Alerting alerting;
  const Timestamp now = t0();
  for (const auto type : {EventType::port_scan, EventType::syn_flood}) {
    Event bare{now, "ns-x", 1, type, Severity::medium, {}, {}};
    EXPECT_NO_THROW(alerting.observe(bare, now));
  }
  Event no_clock{now, "ns-x", 2, EventType::time_drift, Severity::medium, {}, {}};
  EXPECT_NO_THROW(alerting.observe(no_clock, now));
  // The next real attack still opens its campaign as usual.
  alerting.observe(scan("ns-a", 1, "10.200.0.1", true), now);
  const auto second = alerting.observe(scan("ns-b", 1, "10.200.0.1", true), now + 1s);
  EXPECT_EQ(second.incidents.size(), 1u);
}

TEST(Correlation, IncidentNumberingContinuesAfterARestart) {
  Alerting alerting;
  alerting.seed_sequence("collector", events::kCollectorSequenceBit | 41);
  Timestamp now = t0();
  alerting.observe(scan("ns-a", 1, "10.200.0.1", true), now);
  auto out = alerting.observe(scan("ns-b", 1, "10.200.0.1", true), now);
  ASSERT_EQ(out.incidents.size(), 1u);
  EXPECT_EQ(out.incidents[0].sequence, events::kCollectorSequenceBit | 42);
}

}  // namespace
}  // namespace cw::alerts
