// platform/sysinfo.h — this process's health as heartbeats report it, read from /proc: CPU time
// (/proc/self/stat utime+stime), resident memory (/proc/self/statm), 1-minute load
// (/proc/loadavg). Parsers are separate pure functions so they can be tested on literal text.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/time.h"

namespace cw::platform {

struct ProcessSample {
  MonotonicTime at{};
  std::uint64_t cpu_ticks = 0;  // utime + stime, in clock ticks (sysconf(_SC_CLK_TCK))
  std::uint64_t rss_bytes = 0;
  double load1 = 0;
};

ProcessSample sample_process();  // missing files give zeros (never throws)
// CPU use between two samples, percent of one core (may exceed 100 with several threads).
double cpu_percent(const ProcessSample& before, const ProcessSample& after);

// Pure parsers of the /proc texts (nullopt when the text is not what Linux writes).
std::optional<std::uint64_t> parse_stat_cpu_ticks(std::string_view proc_self_stat);
std::optional<std::uint64_t> parse_statm_resident_pages(std::string_view proc_self_statm);
std::optional<double> parse_loadavg_1min(std::string_view proc_loadavg);

}  // namespace cw::platform
