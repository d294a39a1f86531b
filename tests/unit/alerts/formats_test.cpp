// tests/unit/alerts/formats_test.cpp — what receivers are sent: Alertmanager's webhook version 4,
// its v2 API, Slack attachments and an e-mail.
#include "alerts/formats.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "alert_events.h"

namespace cw::alerts {
namespace {

using namespace testing;

Notification fired() {
  AlertEngine engine;
  auto out = engine.observe(drift("node-17", 1), t0());
  return out.at(0);
}

TEST(Formats, AlertmanagerWebhookVersion4) {
  const auto n = fired();
  auto body = nlohmann::json::parse(alertmanager_webhook(n, {"ops", "http://console", t0()}));
  EXPECT_EQ(body["version"], "4");
  EXPECT_EQ(body["status"], "firing");
  EXPECT_EQ(body["receiver"], "ops");
  EXPECT_EQ(body["groupKey"], "time_drift{agent=\"node-17\"}");
  EXPECT_EQ(body["notificationId"], n.id);
  ASSERT_EQ(body["alerts"].size(), 1u);
  const auto& alert = body["alerts"][0];
  EXPECT_EQ(alert["labels"]["alertname"], "time_drift");
  EXPECT_EQ(alert["labels"]["agent"], "node-17");
  EXPECT_EQ(alert["labels"]["severity"], "high");
  EXPECT_EQ(alert["startsAt"], "2025-11-29T17:05:00.000Z");
  EXPECT_EQ(alert["endsAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(alert["annotations"]["summary"],
            "time_drift on node-17: offset +600.000 s against 10.0.0.1:123");
  EXPECT_EQ(alert["generatorURL"], "http://console/#/alerts?status=all&alert=" + n.alert.id);
  EXPECT_EQ(alert["fingerprint"].get<std::string>().size(), 16u);
}

TEST(Formats, AlertmanagerApiResolvesWithEndsAt) {
  auto n = fired();
  auto firing = nlohmann::json::parse(alertmanager_v2({n.alert}, {"am", "", t0()}));
  EXPECT_FALSE(firing[0].contains("endsAt"));
  n.alert.status = AlertStatus::resolved;
  n.alert.resolved_at = t0() + std::chrono::seconds(90);
  auto resolved = nlohmann::json::parse(alertmanager_v2({n.alert}, {"am", "", t0()}));
  EXPECT_EQ(resolved[0]["endsAt"], "2025-11-29T17:06:30.000Z");
  EXPECT_EQ(resolved[0]["labels"]["rule"], "time_drift");
}

TEST(Formats, SlackAttachmentColouredBySeverity) {
  auto n = fired();
  auto body = nlohmann::json::parse(slack_message(n, {"chat", "", t0()}));
  EXPECT_EQ(body["attachments"][0]["color"], "danger");
  EXPECT_EQ(body["attachments"][0]["title"], "[FIRING:high] time_drift");
  n.alert.status = AlertStatus::resolved;
  body = nlohmann::json::parse(slack_message(n, {"chat", "", t0()}));
  EXPECT_EQ(body["attachments"][0]["color"], "good");
}

TEST(Formats, MailSubjectNamesStatusSeverityRuleAgentAndCount) {
  auto n = fired();
  auto mail = mail_message(n, "cw@example.org", {"ops@example.org"}, {"mail", "", t0()});
  EXPECT_EQ(mail.subject, "[chronowatch firing:high] time_drift on node-17 (1x)");
  EXPECT_NE(mail.message.find("Subject: " + mail.subject + "\r\n"), std::string::npos);
  EXPECT_NE(mail.message.find("To: ops@example.org\r\n"), std::string::npos);
  EXPECT_NE(mail.message.find("Date: Sat, 29 Nov 2025 17:05:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(mail.message.find("\r\n\r\ntime_drift on node-17"), std::string::npos);
}

}  // namespace
}  // namespace cw::alerts

#include "alerts/signature.h"

namespace cw::alerts {
namespace {

TEST(Signature, HmacSha256OfTheBody) {
  // RFC 4231 test case 2.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(signature_header("Jefe", "what do ya want for nothing?"),
            "X-Chronowatch-Signature: "
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace cw::alerts
