// apps/collector/alerting/alert_options.h — the collector's alerting flags (--alert-*), and how
// they become the service's options.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "apps/collector/alerting/alert_service.h"

namespace cw::apps {

struct CollectorAlertOptions {
  std::vector<std::string> webhooks;
  std::string webhook_secret_file;
  std::vector<std::string> alertmanagers;
  std::vector<std::string> slacks;
  std::string smtp;  // HOST:PORT
  std::string mail_from;
  std::vector<std::string> mail_to;
  std::string smtp_user, smtp_password_file;
  bool smtp_starttls = false;
  std::string smtp_ca_file;
  std::string min_severity;  // "" = the rules file's, else medium
  std::string rules_file;
  std::string
      config_file;     // the root --config, whose alerts: section is read without --alert-rules
  std::string outbox;  // default: beside the database
  double timeout = 10;
  double retry_max = 60;
  double claim_lease = 0;  // 0: 30 s, or longer for a long --alert-timeout
  double repost_interval = 60;
  std::string external_url;
  std::size_t queue_events = AlertServiceOptions{}.queue_events;
};

void add_alert_options(CLI::App& command, CollectorAlertOptions& options);

// Throws std::invalid_argument with a usage message for flags that do not fit together.
AlertServiceOptions alert_service_options(const CollectorAlertOptions& options,
                                          const std::string& database);

}  // namespace cw::apps
