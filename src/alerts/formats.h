// alerts/formats.h — what each receiver is sent, as bytes: Alertmanager's webhook body (version
// "4", which any Alertmanager webhook consumer accepts), Alertmanager's own API (POST
// /api/v2/alerts), a Slack-compatible incoming webhook, and an e-mail (RFC 5322). Pure.
#pragma once

#include <string>
#include <vector>

#include "alerts/engine.h"

namespace cw::alerts {

struct FormatContext {
  std::string receiver;      // the receiver's name
  std::string external_url;  // the console's address, for links ("" if none)
  Timestamp now;
};

// Labels as sent: the alert's labels plus `rule`; annotations: summary, description, count,
// first/last seen, members, notification id.
Labels annotations_of(const Alert& alert);

// One notification = one group: the body of one webhook POST.
std::string alertmanager_webhook(const Notification& notification, const FormatContext& context);
// A JSON array of postable alerts (firing without endsAt, resolved with endsAt).
std::string alertmanager_v2(const std::vector<Alert>& alerts, const FormatContext& context);
std::string slack_message(const Notification& notification, const FormatContext& context);

struct Mail {
  std::string subject;
  std::string message;  // headers and body, CRLF line ends, ready for SMTP DATA
};
Mail mail_message(const Notification& notification, const std::string& from,
                  const std::vector<std::string>& to, const FormatContext& context);

// Stable 16-hex fingerprint of a label set (Alertmanager shows one per alert).
std::string fingerprint(const Labels& labels);
// RFC 3339 with milliseconds and Z, as Alertmanager writes it.
std::string rfc3339(Timestamp t);

}  // namespace cw::alerts
