// apps/collector/alerting/alert_options.cpp — --alert-* flags.
#include "apps/collector/alerting/alert_options.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "alerts/delivery.h"
#include "store/sqlite_store.h"

namespace cw::apps {
namespace {

alerts::ReceiverConfig url_receiver(alerts::ReceiverKind kind, const std::string& url,
                                    std::size_t index) {
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    throw std::invalid_argument(fmt::format("--alert-{}: '{}' is not an http:// or https:// URL",
                                            alerts::to_string(kind), url));
  alerts::ReceiverConfig receiver;
  receiver.kind = kind;
  receiver.url = url;
  receiver.name = fmt::format("{}-{}", alerts::to_string(kind), index + 1);
  return receiver;
}

}  // namespace

void add_alert_options(CLI::App& cmd, CollectorAlertOptions& o) {
  const auto* group = "Alerting (docs/alerts.md)";
  cmd.add_option("--alert-webhook", o.webhooks,
                 "POST each alert notification to URL as Alertmanager's webhook JSON (version 4)")
      ->group(group)
      ->envname("CW_ALERT_WEBHOOK");
  cmd.add_option("--alert-webhook-secret-file", o.webhook_secret_file,
                 "sign webhook bodies: X-Chronowatch-Signature: sha256=HMAC-SHA256(secret, body)")
      ->group(group);
  cmd.add_option("--alert-alertmanager", o.alertmanagers,
                 "a Prometheus Alertmanager (http://HOST:9093): POST /api/v2/alerts, firing "
                 "alerts re-posted every --alert-repost-interval, resolved with endsAt")
      ->group(group);
  cmd.add_option("--alert-slack", o.slacks,
                 "a Slack-compatible incoming webhook URL (attachments coloured by severity)")
      ->group(group);
  cmd.add_option("--alert-smtp", o.smtp,
                 "mail alerts through this SMTP server (HOST:PORT); "
                 "STARTTLS when offered, one mail per alert group")
      ->group(group);
  cmd.add_option("--alert-mail-from", o.mail_from, "sender address of alert mail")->group(group);
  cmd.add_option("--alert-mail-to", o.mail_to, "recipient of alert mail (repeatable)")
      ->group(group);
  cmd.add_option("--alert-smtp-user", o.smtp_user, "SMTP AUTH user")->group(group);
  cmd.add_option("--alert-smtp-password-file", o.smtp_password_file, "SMTP AUTH password file")
      ->group(group);
  cmd.add_flag("--alert-smtp-starttls", o.smtp_starttls,
               "refuse to send mail unless the server does STARTTLS")
      ->group(group);
  cmd.add_option("--alert-smtp-ca", o.smtp_ca_file,
                 "PEM file of the CAs that sign the SMTP server's certificate (default: the "
                 "system's)")
      ->group(group);
  cmd.add_option("--alert-min-severity", o.min_severity,
                 "notify alerts of this severity or worse: info, low, medium (default), high, "
                 "critical")
      ->group(group)
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  cmd.add_option("--alert-rules", o.rules_file,
                 "YAML file with an alerts: section (rules, silences, receivers, correlation); "
                 "re-read on SIGHUP and when it changes; a bad file keeps the previous rules")
      ->group(group)
      ->envname("CW_ALERT_RULES");
  cmd.add_option("--alert-outbox", o.outbox,
                 "durable outbox of undelivered notifications (default: DB.alerts-outbox; with "
                 "--store URL and no --db: alerts-outbox in $CW_DATA_DIR)")
      ->group(group);
  cmd.add_option("--alert-claim-lease", o.claim_lease,
                 "with a PostgreSQL store, whose outbox the collectors share: seconds a "
                 "collector holds a notification it is delivering; another collector delivers "
                 "it once the claim ends (default: 30, and at least --alert-timeout + 2)")
      ->group(group)
      ->check(CLI::Range(1.0, 3600.0));
  cmd.add_option("--alert-timeout", o.timeout, "seconds one delivery attempt may take")
      ->group(group)
      ->capture_default_str()
      ->check(CLI::Range(0.1, 300.0));
  cmd.add_option("--alert-retry-max", o.retry_max,
                 "longest wait in seconds between two attempts (back-off 1, 2, 4, ... s)")
      ->group(group)
      ->capture_default_str()
      ->check(CLI::Range(1.0, 3600.0));
  cmd.add_option("--alert-repost-interval", o.repost_interval,
                 "seconds between re-posts of firing alerts to Alertmanager")
      ->group(group)
      ->capture_default_str()
      ->check(CLI::Range(1.0, 3600.0));
  cmd.add_option("--alert-external-url", o.external_url,
                 "the console's URL, for links in notifications")
      ->group(group);
  cmd.add_option("--alert-queue-events", o.queue_events,
                 "stored events waiting for the alerting thread before it reads the rest back "
                 "from the store (the ingest never waits for alerting)")
      ->group(group)
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
}

AlertServiceOptions alert_service_options(const CollectorAlertOptions& o,
                                          const std::string& database) {
  AlertServiceOptions out;
  out.rules_file = o.rules_file.empty() ? o.config_file : o.rules_file;
  out.rules_in_config_file = o.rules_file.empty() && !o.config_file.empty();
  // Beside the SQLite file; on another engine (--store URL, no --db) in the data directory.
  const auto beside =
      database.empty() ? (store::default_database_path().parent_path() / "alerts-outbox").string()
                       : database + ".alerts-outbox";
  out.outbox_path = o.outbox.empty() ? beside : o.outbox;
  out.outbox_explicit = !o.outbox.empty();
  if (!o.min_severity.empty()) out.min_severity = events::parse_severity(o.min_severity);
  out.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(o.timeout * 1000));
  out.retry_max = from_seconds(o.retry_max);
  out.claim_lease = std::max(from_seconds(30), alerts::shortest_lease(out.timeout));
  if (o.claim_lease > 0) {
    out.claim_lease = from_seconds(o.claim_lease);
    if (auto wrong = alerts::check_lease(out.claim_lease, out.timeout); !wrong.empty())
      throw std::invalid_argument(wrong);
  }
  out.repost_interval = from_seconds(o.repost_interval);
  out.external_url = o.external_url;
  out.queue_events = o.queue_events;
  for (std::size_t i = 0; i < o.webhooks.size(); ++i) {
    auto receiver = url_receiver(alerts::ReceiverKind::webhook, o.webhooks[i], i);
    receiver.secret_file = o.webhook_secret_file;
    out.receivers.push_back(std::move(receiver));
  }
  for (std::size_t i = 0; i < o.alertmanagers.size(); ++i)
    out.receivers.push_back(
        url_receiver(alerts::ReceiverKind::alertmanager, o.alertmanagers[i], i));
  for (std::size_t i = 0; i < o.slacks.size(); ++i)
    out.receivers.push_back(url_receiver(alerts::ReceiverKind::slack, o.slacks[i], i));
  if (!o.smtp.empty()) {
    if (o.mail_from.empty() || o.mail_to.empty())
      throw std::invalid_argument("--alert-smtp needs --alert-mail-from and --alert-mail-to");
    if (o.smtp.find(':') == std::string::npos)
      throw std::invalid_argument(fmt::format("--alert-smtp: '{}' is not HOST:PORT", o.smtp));
    alerts::ReceiverConfig mail;
    mail.kind = alerts::ReceiverKind::email;
    mail.name = "email-1";
    mail.smtp = o.smtp;
    mail.mail_from = o.mail_from;
    mail.mail_to = o.mail_to;
    mail.username = o.smtp_user;
    mail.password_file = o.smtp_password_file;
    mail.starttls = o.smtp_starttls;
    mail.ca_file = o.smtp_ca_file;
    out.receivers.push_back(std::move(mail));
  } else if (!o.mail_from.empty() || !o.mail_to.empty()) {
    throw std::invalid_argument("--alert-mail-from/--alert-mail-to need --alert-smtp HOST:PORT");
  }
  return out;
}

}  // namespace cw::apps
