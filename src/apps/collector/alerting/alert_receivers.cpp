// apps/collector/alerting/alert_receivers.cpp — rendering and delivering per receiver kind.
#include "apps/collector/alerting/alert_receivers.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "alerts/signature.h"
#include "platform/http_client.h"

namespace cw::apps {
namespace {

std::string read_secret(const std::string& path, std::string_view what) {
  if (path.empty()) return {};
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("cannot read the {} file {}", what, path));
  std::stringstream text;
  text << in.rdbuf();
  auto secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) throw std::runtime_error(fmt::format("the {} file {} is empty", what, path));
  return secret;
}

std::string api_url(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.ends_with("/api/v2/alerts")) return base;
  return base + "/api/v2/alerts";
}

}  // namespace

AlertReceiver::AlertReceiver(alerts::ReceiverConfig config, ReceiverSettings settings)
    : config_(std::move(config)), settings_(std::move(settings)) {
  secret_ = read_secret(config_.secret_file, "webhook secret");
  password_ = read_secret(config_.password_file, "SMTP password");
}

const std::string& AlertReceiver::target() const {
  return config_.kind == alerts::ReceiverKind::email ? config_.smtp : config_.url;
}

bool AlertReceiver::wants(const alerts::Alert& alert) const {
  return alert.severity >= config_.min_severity && alerts::matches(config_.match, alert.labels);
}

std::string AlertReceiver::render(const alerts::Notification& n, Timestamp now) const {
  const alerts::FormatContext context{config_.name, settings_.external_url, now};
  switch (config_.kind) {
    case alerts::ReceiverKind::webhook:
      return alerts::alertmanager_webhook(n, context);
    case alerts::ReceiverKind::alertmanager:
      return alerts::alertmanager_v2({n.alert}, context);
    case alerts::ReceiverKind::slack:
      return alerts::slack_message(n, context);
    case alerts::ReceiverKind::email:
      return alerts::mail_message(n, config_.mail_from, config_.mail_to, context).message;
  }
  return {};
}

std::string AlertReceiver::post_json(const std::string& url, const std::string& notification_id,
                                     const std::string& body) const {
  platform::HttpRequest request{url, body, {"Content-Type: application/json"}, settings_.timeout};
  if (!notification_id.empty())
    request.headers.push_back("X-Chronowatch-Notification-Id: " + notification_id);
  if (!secret_.empty()) request.headers.push_back(alerts::signature_header(secret_, body));
  const auto response = platform::http_post(request);
  return response.ok() ? std::string{} : response.describe();
}

std::string AlertReceiver::deliver(const std::string& notification_id,
                                   const std::string& payload) const {
  switch (config_.kind) {
    case alerts::ReceiverKind::webhook:
    case alerts::ReceiverKind::slack:
      return post_json(config_.url, notification_id, payload);
    case alerts::ReceiverKind::alertmanager:
      return post_json(api_url(config_.url), notification_id, payload);
    case alerts::ReceiverKind::email:
      return platform::send_mail({config_.smtp, config_.mail_from, config_.mail_to, payload,
                                  config_.username, password_, config_.starttls, config_.ca_file,
                                  settings_.timeout});
  }
  return "unknown receiver kind";
}

std::string AlertReceiver::repost_payload(const std::vector<alerts::Alert>& firing,
                                          Timestamp now) const {
  if (config_.kind != alerts::ReceiverKind::alertmanager) return {};
  std::vector<alerts::Alert> mine;
  for (const auto& alert : firing)
    if (wants(alert)) mine.push_back(alert);
  if (mine.empty()) return {};
  return alerts::alertmanager_v2(mine, {config_.name, settings_.external_url, now});
}

}  // namespace cw::apps
