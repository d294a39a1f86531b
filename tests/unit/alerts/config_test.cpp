// tests/unit/alerts/config_test.cpp — the `alerts:` YAML section: what it sets, and that a bad one
// is refused with one line saying where and why.
#include "alerts/config.h"

#include <gtest/gtest.h>

namespace cw::alerts {
namespace {

using namespace std::chrono_literals;

TEST(AlertsConfig, ReadsRulesReceiversSilencesAndCorrelation) {
  auto loaded = parse_alerts_config(R"(
alerts:
  min_severity: high
  rules:
    - name: lab-scans
      match: {type: port_scan, agent: "lab-*"}
      severity: critical
      group_by: [source]
      group_window: 90s
      resolve_timeout: 0
      resolve_when_ended: true
    - name: quiet-lab
      match: "agent=lab-*"
      alert: false
  silences:
    - {match: "agent=db-*", ends: "2030-01-01T00:00:00Z", comment: upgrade}
  correlation: {fleet_min_agents: 7, fleet_window: 2m, campaign_min_agents: 3}
  receivers:
    - {name: ops, webhook: "http://127.0.0.1:9/hook", match: "severity>=high"}
    - {smtp: "127.0.0.1:25", from: a@example.org, to: [b@example.org, c@example.org]}
)");
  ASSERT_TRUE(loaded) << loaded.error();
  const auto& config = loaded->config;
  EXPECT_EQ(config.min_severity, events::Severity::high);
  ASSERT_GT(config.rules.size(), 2u);
  EXPECT_EQ(config.rules[0].name, "lab-scans");
  EXPECT_EQ(config.rules[0].severity, events::Severity::critical);
  EXPECT_EQ(config.rules[0].group_window, 90s);
  EXPECT_EQ(config.rules[0].resolve_timeout, 0s);
  EXPECT_EQ(config.rules[0].group_by, std::vector<std::string>{"source"});
  EXPECT_FALSE(config.rules[1].alert);
  EXPECT_EQ(config.rules[2].name, default_rules()[0].name);  // defaults follow
  EXPECT_EQ(config.correlation.fleet_min_agents, 7u);
  EXPECT_EQ(config.correlation.fleet_window, 2min);
  ASSERT_EQ(config.receivers.size(), 2u);
  EXPECT_EQ(config.receivers[0].kind, ReceiverKind::webhook);
  EXPECT_EQ(config.receivers[1].kind, ReceiverKind::email);
  EXPECT_EQ(config.receivers[1].name, "receiver-2");
  EXPECT_EQ(config.receivers[1].mail_to.size(), 2u);
  ASSERT_EQ(loaded->silences.size(), 1u);
  EXPECT_EQ(loaded->silences[0].comment, "upgrade");
}

TEST(AlertsConfig, DefaultsFalseKeepsOnlyTheOperatorsRules) {
  auto loaded = parse_alerts_config("rules: [{name: all, match: ''}]\ndefaults: false\n");
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(loaded->config.rules.size(), 1u);
}

TEST(AlertsConfig, AnEmptyFileIsTheDefaults) {
  EXPECT_EQ(parse_alerts_config("").value().config, default_config());
}

void expect_error(std::string_view yaml, std::string_view says) {
  auto loaded = parse_alerts_config(yaml);
  ASSERT_FALSE(loaded) << yaml;
  EXPECT_NE(loaded.error().find(says), std::string::npos) << loaded.error();
  EXPECT_EQ(loaded.error().find('\n'), std::string::npos) << loaded.error();
}

TEST(AlertsConfig, RefusalsSayWhereAndWhyOnOneLine) {
  expect_error("alerts: {rules: [{name: x, match: 'agnet=y'}]}",
               "alerts: rules: [1]: matcher item 'agnet=y'");
  expect_error("alerts: {rules: [{name: x}, {name: x}]}", "used twice");
  expect_error("alerts: {rules: [{match: 'type=heartbeat'}]}", "needs a name");
  expect_error("alerts: {rules: [{name: x, group_window: 10 minutes}]}", "not a duration");
  expect_error("alerts: {rules: [{name: x, resolve_on: [cleared]}]}", "unknown event type");
  expect_error("alerts: {rules: [{name: x, group_by: [host]}]}", "unknown label 'host'");
  expect_error("alerts: {rulez: []}", "alerts: rulez: unknown key");
  expect_error("alerts: {receivers: [{webhook: 'ftp://x'}]}", "not an http");
  expect_error("alerts: {receivers: [{smtp: 'x:25'}]}", "needs from and to");
  expect_error("alerts: {rules: [ {name: x", "not YAML: line 1");
  expect_error("alerts: {rules: [{name: x, alert: maybe}]}", "alerts: line 1");
  expect_error("alerts: {silences: [{match: 'agent=x', ends: tomorrow}]}", "ISO 8601");
}

TEST(Durations, UnitsAndPlainSeconds) {
  EXPECT_EQ(parse_duration("500ms").value(), 500ms);
  EXPECT_EQ(parse_duration("30").value(), 30s);
  EXPECT_EQ(parse_duration("1.5h").value(), 90min);
  EXPECT_EQ(parse_duration("1d").value(), 24h);
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration("1w"));
  EXPECT_FALSE(parse_duration("nan"));
}

}  // namespace
}  // namespace cw::alerts
