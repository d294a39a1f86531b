// apps/serve/serve_report.h — the counters `chronowatch serve` prints on SIGUSR1 and on exit: a
// table for people, one JSON object per report with --json.
#pragma once

#include <string>

#include "apps/serve/serve_runtime.h"

namespace cw::apps {

struct ServeReport {
  CountersTotal counters;
  SharedServerState::Snapshot served;
  std::string event;  // "signal" (SIGUSR1) or "exit"
};

std::string format_report_text(const ServeReport& report);
std::string format_report_json(const ServeReport& report);  // one line, no trailing newline

}  // namespace cw::apps
