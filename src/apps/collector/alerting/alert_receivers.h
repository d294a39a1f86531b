// apps/collector/alerting/alert_receivers.h — where notifications go: a generic webhook
// (Alertmanager's webhook body, optionally signed), a real Alertmanager (POST /api/v2/alerts),
// a Slack-compatible incoming webhook, and e-mail over SMTP. Each renders a notification into the
// payload the outbox keeps, and delivers a payload (blocking, with a timeout).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "alerts/formats.h"
#include "alerts/rules.h"

namespace cw::apps {

struct ReceiverSettings {
  std::chrono::milliseconds timeout{10'000};
  std::string external_url;  // the console, for links
};

class AlertReceiver {
 public:
  AlertReceiver(alerts::ReceiverConfig config, ReceiverSettings settings);  // reads secret files

  const std::string& name() const { return config_.name; }
  alerts::ReceiverKind kind() const { return config_.kind; }
  const std::string& target() const;  // URL or SMTP server, for logs
  bool wants(const alerts::Alert& alert) const;
  std::string render(const alerts::Notification& notification, Timestamp now) const;
  // Empty when delivered; otherwise why not (HTTP status, connection error, SMTP reply).
  std::string deliver(const std::string& notification_id, const std::string& payload) const;
  // Alertmanager forgets an alert it is not told about again within its resolve_timeout: the
  // firing alerts, re-posted periodically (empty string when this is not an Alertmanager).
  std::string repost_payload(const std::vector<alerts::Alert>& firing, Timestamp now) const;

 private:
  std::string post_json(const std::string& url, const std::string& notification_id,
                        const std::string& body) const;

  alerts::ReceiverConfig config_;
  ReceiverSettings settings_;
  std::string secret_;
  std::string password_;
};

}  // namespace cw::apps
