// tests/unit/apps/agent/agent_reload_test.cpp — what a SIGHUP applies and what it names for a
// restart (apps/agent/agent_reload.h): thresholds and servers are taken over, sinks, MQTT and
// the agent id stay as started and are listed.
#include "apps/agent/agent_reload.h"

#include <gtest/gtest.h>

namespace cw::apps {
namespace {

using Names = std::vector<std::string>;

TEST(AgentReload, NothingChangedNothingToDo) {
  const AgentSettings running;
  const auto change = compare_settings(running, running);
  EXPECT_TRUE(change.applied.empty());
  EXPECT_TRUE(change.needs_restart.empty());
  EXPECT_FALSE(change.servers);
  EXPECT_FALSE(change.schedule);
}

TEST(AgentReload, ThresholdsAndServersAreAppliedTheRestIsNamed) {
  AgentSettings running;
  AgentSettings fresh;
  fresh.threshold = 1;
  fresh.ntp_servers = {"127.0.0.1:1123"};
  fresh.poll_interval = 16;
  fresh.mqtt_topic = "LAB/elsewhere";
  fresh.sinks = {"mqtt", "zmq"};
  fresh.agent_id = "other";
  const auto change = compare_settings(running, fresh);
  EXPECT_EQ(change.applied, (Names{"--ntp-server", "--poll-interval", "--threshold"}));
  EXPECT_EQ(change.needs_restart, (Names{"--agent-id", "--sink", "--mqtt-topic"}));
  EXPECT_TRUE(change.servers);
  EXPECT_TRUE(change.schedule);

  const auto next = take_reloadable(running, fresh);
  EXPECT_EQ(next.threshold, 1);
  EXPECT_EQ(next.ntp_servers, Names{"127.0.0.1:1123"});
  EXPECT_EQ(next.poll_interval, 16);
  EXPECT_EQ(next.mqtt_topic, running.mqtt_topic);  // kept as started
  EXPECT_EQ(next.sinks, running.sinks);
  EXPECT_EQ(next.agent_id, running.agent_id);
}

TEST(AgentReload, AThresholdAloneKeepsThePollerAndItsSchedule) {
  AgentSettings running;
  AgentSettings fresh;
  fresh.threshold = 2;
  fresh.hysteresis = 0.5;
  const auto change = compare_settings(running, fresh);
  EXPECT_EQ(change.applied, (Names{"--threshold", "--hysteresis"}));
  EXPECT_FALSE(change.servers);
  EXPECT_FALSE(change.schedule);
}

}  // namespace
}  // namespace cw::apps
