// alerts/formats.cpp — receivers' message bodies.
#include "alerts/formats.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace cw::alerts {
namespace {

using json = nlohmann::ordered_json;

std::string join(const std::deque<std::string>& items, std::size_t at_most) {
  std::string out;
  const auto skip = items.size() > at_most ? items.size() - at_most : 0;
  for (std::size_t i = skip; i < items.size(); ++i) out += (out.empty() ? "" : ",") + items[i];
  return out;
}

json labels_json(const Labels& labels) {
  json out = json::object();
  for (const auto& [name, value] : labels) out[name] = value;
  return out;
}

Labels sent_labels(const Alert& alert) {
  auto labels = alert.labels;
  labels["rule"] = alert.rule;
  return labels;
}

json alert_json(const Alert& alert, AlertStatus status, const FormatContext& context) {
  const auto labels = sent_labels(alert);
  json out{
      {"status", to_string(status)},
      {"labels", labels_json(labels)},
      {"annotations", labels_json(annotations_of(alert))},
      {"startsAt", rfc3339(alert.first_seen)},
      {"endsAt", status == AlertStatus::resolved && alert.resolved_at ? rfc3339(*alert.resolved_at)
                                                                      : "0001-01-01T00:00:00Z"},
      {"generatorURL", context.external_url.empty()
                           ? std::string{}
                           : context.external_url + "/#/alerts?status=all&alert=" + alert.id},
      {"fingerprint", fingerprint(labels)}};
  return out;
}

std::string_view slack_color(events::Severity severity) {
  switch (severity) {
    case events::Severity::critical:
      return "#8b0000";
    case events::Severity::high:
      return "danger";
    case events::Severity::medium:
      return "warning";
    default:
      return "good";
  }
}

std::string header_safe(std::string text) {
  for (auto& c : text)
    if (c == '\r' || c == '\n' || static_cast<unsigned char>(c) < 0x20) c = ' ';
  return text;
}

}  // namespace

std::string rfc3339(Timestamp t) {
  const auto ns = unix_ns(t);
  const auto seconds = std::chrono::sys_seconds{std::chrono::seconds{ns / 1'000'000'000}};
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", seconds, (ns / 1'000'000) % 1000);
}

std::string fingerprint(const Labels& labels) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const auto& [name, value] : labels)
    for (char c : name + '\xff' + value + '\xff')
      hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return fmt::format("{:016x}", hash);
}

Labels annotations_of(const Alert& alert) {
  Labels out{{"summary", alert.summary},
             {"count", std::to_string(alert.count)},
             {"first_seen", rfc3339(alert.first_seen)},
             {"last_seen", rfc3339(alert.last_seen)},
             {"first_event", rfc3339(alert.first_event)},
             {"last_event", rfc3339(alert.last_event)},
             {"members", join(alert.members, 16)},
             {"alert_id", alert.id},
             {"group_key", alert.group_key}};
  if (!alert.resolved_by.empty()) out["resolved_by"] = alert.resolved_by;
  if (alert.acknowledged) out["acknowledged_by"] = alert.acknowledged_by;
  out["description"] = fmt::format("{}: {} event(s) from {} to {}; rule {}", alert.summary,
                                   alert.count, out["first_seen"], out["last_seen"], alert.rule);
  return out;
}

std::string alertmanager_webhook(const Notification& n, const FormatContext& context) {
  const auto& alert = n.alert;
  const auto labels = sent_labels(alert);
  Labels group_labels;
  for (const auto& [name, value] : alert.labels)
    if (name != "severity") group_labels[name] = value;
  json body{{"version", "4"},
            {"groupKey", alert.group_key},
            {"truncatedAlerts", 0},
            {"status", to_string(alert.status)},
            {"receiver", context.receiver},
            {"groupLabels", labels_json(group_labels)},
            {"commonLabels", labels_json(labels)},
            {"commonAnnotations", labels_json(annotations_of(alert))},
            {"externalURL", context.external_url},
            {"alerts", json::array({alert_json(alert, alert.status, context)})},
            {"notificationId", n.id}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string alertmanager_v2(const std::vector<Alert>& alerts, const FormatContext& context) {
  json out = json::array();
  for (const auto& alert : alerts) {
    json item{{"labels", labels_json(sent_labels(alert))},
              {"annotations", labels_json(annotations_of(alert))},
              {"startsAt", rfc3339(alert.first_seen)}};
    if (alert.status == AlertStatus::resolved && alert.resolved_at)
      item["endsAt"] = rfc3339(std::max(*alert.resolved_at, alert.first_seen));
    if (!context.external_url.empty())
      item["generatorURL"] = context.external_url + "/#/alerts?status=all&alert=" + alert.id;
    out.push_back(std::move(item));
  }
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string slack_message(const Notification& n, const FormatContext& context) {
  const auto& alert = n.alert;
  const bool resolved = alert.status == AlertStatus::resolved;
  json fields = json::array();
  for (const auto& [name, value] : alert.labels)
    fields.push_back({{"title", name}, {"value", value}, {"short", true}});
  fields.push_back({{"title", "count"}, {"value", std::to_string(alert.count)}, {"short", true}});
  json attachment{
      {"fallback", fmt::format("[{}] {}", resolved ? "RESOLVED" : "FIRING", alert.summary)},
      {"color", resolved ? "good" : slack_color(alert.severity)},
      {"title", fmt::format("[{}:{}] {}", resolved ? "RESOLVED" : "FIRING",
                            events::to_string(alert.severity), alert.rule)},
      {"text", alert.summary},
      {"fields", fields},
      {"footer", fmt::format("chronowatch {} · {}", context.receiver, n.id)},
      {"ts", unix_ns(alert.last_seen) / 1'000'000'000}};
  if (!context.external_url.empty())
    attachment["title_link"] = context.external_url + "/#/alerts?status=all&alert=" + alert.id;
  json body{{"text", fmt::format("{} {}", resolved ? "Resolved:" : "Alert:", alert.summary)},
            {"attachments", json::array({attachment})}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

Mail mail_message(const Notification& n, const std::string& from,
                  const std::vector<std::string>& to, const FormatContext& context) {
  const auto& alert = n.alert;
  const auto label = [&](const char* name) {
    const auto found = alert.labels.find(name);
    return found == alert.labels.end() ? std::string{} : found->second;
  };
  // What the operator needs first: status, severity, rule, and where (agent, server, source).
  std::string where;
  if (!label("incident").empty()) where += " " + label("incident");
  if (!label("agent").empty()) where += " on " + label("agent");
  if (!label("server").empty()) where += " via " + label("server");
  if (!label("source").empty()) where += " from " + label("source");
  Mail mail;
  mail.subject =
      header_safe(fmt::format("[chronowatch {}:{}] {}{} ({}x)", to_string(alert.status),
                              events::to_string(alert.severity), alert.rule, where, alert.count));
  std::string to_line;
  for (const auto& address : to) to_line += (to_line.empty() ? "" : ", ") + address;
  std::string body = alert.summary + "\r\n\r\n";
  for (const auto& [name, value] : sent_labels(alert))
    body += fmt::format("{}: {}\r\n", name, value);
  body += "\r\n";
  for (const auto& [name, value] : annotations_of(alert))
    if (name != "summary") body += fmt::format("{}: {}\r\n", name, value);
  if (!context.external_url.empty())
    body += fmt::format("\r\n{}/#/alerts?status=all&alert={}\r\n", context.external_url, alert.id);
  // SMTP DATA: a line starting with '.' gets another (RFC 5321 §4.5.2).
  std::string stuffed;
  std::size_t start = 0;
  while (start < body.size()) {
    auto end = body.find("\r\n", start);
    if (end == std::string::npos) end = body.size();
    const auto line = body.substr(start, end - start);
    stuffed += (line.starts_with('.') ? "." : "") + line + "\r\n";
    start = end + 2;
  }
  const auto seconds =
      std::chrono::sys_seconds{std::chrono::seconds{unix_ns(context.now) / 1'000'000'000}};
  mail.message = fmt::format(
      "Date: {:%a, %d %b %Y %H:%M:%S} +0000\r\nFrom: {}\r\nTo: {}\r\nSubject: {}\r\n"
      "Message-ID: <{}@chronowatch>\r\nX-Chronowatch-Notification-Id: {}\r\n"
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: 8bit\r\n\r\n{}",
      seconds, header_safe(from), header_safe(to_line), mail.subject,
      header_safe(n.id.substr(0, n.id.find('/')) + "." + n.id.substr(n.id.find('/') + 1)),
      header_safe(n.id), stuffed);
  return mail;
}

}  // namespace cw::alerts
