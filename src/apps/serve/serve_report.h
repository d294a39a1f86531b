// apps/serve/serve_report.h — the server's snapshot (its counters and served state) and the one
// description of its fields (core/snapshot.h) from which `serve --json` and /metrics are made, as
// for the other daemons; printed on SIGUSR1 and on exit: a table for people, one JSON object per
// report with --json (the described fields, then the outcomes, latencies and NTS by name).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "apps/serve/serve_runtime.h"
#include "core/snapshot.h"

namespace cw::apps {

// The NTS-KE server's counters when the report is made (apps/common/nts/ke_server.h).
struct NtsKeCounts {
  std::uint64_t accepted = 0, completed = 0, cookies_issued = 0, at_capacity = 0;
  // Sessions that failed, by reason: an Error record sent, the TLS handshake failed, cut at the
  // deadline, a request over 16 KiB; and connections closed unanswered over their address's rate.
  std::uint64_t refused = 0, tls_failed = 0, timed_out = 0, too_large = 0, rate_limited = 0;
};

struct ServeReport {
  CountersTotal counters;
  SharedServerState::Snapshot served;
  std::string event;                 // "signal" (SIGUSR1) or "exit"
  std::optional<NtsKeCounts> nts{};  // with --nts-cert: the NTS-KE side (the NTP side is counters)
};

// JSON keys (dots nest: "serving.stratum") and Prometheus names of the report's numbers.
std::span<const SnapshotField<ServeReport>> serve_fields();

std::string format_report_text(const ServeReport& report);
std::string format_report_json(const ServeReport& report);  // one line, no trailing newline
// The NTS log line: the NTS-KE counters, then the NTP side (answered, NTSN by reason, cookies).
std::string format_nts_line(const ServeReport& report);

}  // namespace cw::apps
