// apps/query/query_report.h — what `chronowatch query` concludes from its servers: selection of
// falsetickers and the combined offset (ntp/selection.h), the exit status, and the two ways of
// printing it (a human table, one JSON object).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "apps/common/exit_codes.h"
#include "apps/query/query_session.h"
#include "core/clock.h"
#include "ntp/clock_correction.h"
#include "ntp/selection.h"

namespace cw::apps {

// Exit statuses of `chronowatch query` (documented in docs/query.md and --help).
inline constexpr int kExitNoAnswer = 3;        // no server gave a usable answer in time
inline constexpr int kExitKissOfDeath = 4;     // a server sent a Kiss-o'-Death (RATE/DENY/RSTR)
inline constexpr int kExitAuthFailed = 5;      // replies failed authentication
inline constexpr int kExitUnsynchronized = 6;  // the server is not synchronized (LI = 3)
inline constexpr int kExitNoMajority = 7;      // servers answered but disagree (no majority)

struct QueryReport {
  std::vector<ServerResult> servers;
  std::vector<std::optional<ntp::Verdict>> verdicts;  // per server; nullopt when it had no sample
  std::vector<std::optional<Duration>> distances;     // root distance used by selection
  ntp::SelectionResult selection;
  std::optional<ntp::Correction> correction;  // with --adjust
  bool correction_applied = false;
  int exit_status = 0;
  std::vector<std::string> problems;  // one line each, for stderr
};

// Runs selection over the servers that gave samples, as of `now`, and decides the exit status.
QueryReport conclude(std::vector<ServerResult> servers, Timestamp now);

// With --adjust: decides step or slew for the combined offset (nothing when there is none) and
// carries it out through `adjuster`, or only records it when `adjuster` is null (--dry-run).
// Throws what the adjuster throws (e.g. std::system_error without CAP_SYS_TIME).
void adjust_clock(QueryReport& report, Duration step_threshold, ClockAdjuster* adjuster);

std::string render_table(const QueryReport& report);
nlohmann::json render_json(const QueryReport& report);

}  // namespace cw::apps
