// detect/clock/tampering.h — tampered time on the host (issue 14), judged from what the platform
// read: processes that run with libfaketime or datefudge preloaded (their /proc/PID/maps and
// environ, and /etc/ld.so.preload), processes in a time namespace with non-zero offsets
// (/proc/PID/timens_offsets, Linux 5.6 time_namespaces(7)), the real-time clock being set (with the
// size of the step), the kernel's frequency or tick beyond a limit or changed by someone other
// than a time daemon (adjtimex read-only), and the agent's own libc clock disagreeing with the raw
// system call. One `time_tampering` event per finding; a process is reported once while it
// lives. Pure: texts and numbers in, events out.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"
#include "events/event.h"

namespace cw::detect {

// --- parsers of what /proc holds (each has a fuzz target) -------------------------------------

// The path of a faking library (libfaketime*, libdatefudge*, datefudge.so) mapped in a
// /proc/PID/maps text, or nothing.
std::optional<std::string> faking_library_in_maps(std::string_view maps);
// From a /proc/PID/environ block (NUL-separated): "FAKETIME=+1d", or "LD_PRELOAD=...faketime..."
// (the first such variable), or nothing.
std::optional<std::string> faking_variable_in_environ(std::string_view environ);
// The first line of /etc/ld.so.preload naming a faking library, or nothing.
std::optional<std::string> faking_library_in_preload(std::string_view preload);

struct TimeNamespaceOffsets {
  Duration monotonic{}, boottime{};
  bool nonzero() const { return monotonic != Duration::zero() || boottime != Duration::zero(); }
};
// /proc/PID/timens_offsets: lines "monotonic SECONDS NANOSECONDS" and "boottime ...". Nothing when
// the text does not read as that.
std::optional<TimeNamespaceOffsets> parse_timens_offsets(std::string_view text);

// --- the judge --------------------------------------------------------------------------------

struct ProcessFacts {
  int pid = 0;
  std::uint64_t start_time = 0;  // /proc/PID/stat field 22: tells a reused pid from the same one
  std::string command;           // /proc/PID/comm
  std::uint32_t uid = 0;
  std::optional<std::string> maps_library, environ_variable;
  std::optional<TimeNamespaceOffsets> timens;
};

// adjtimex(2) read with modes = 0: the kernel's frequency (scaled ppm, 16-bit fraction) and tick.
struct KernelFrequency {
  std::int64_t frequency = 0;  // timex.freq
  std::int64_t tick = 0;       // timex.tick, µs per USER_HZ tick
};

struct TamperConfig {
  double max_frequency_ppm = 500;     // the kernel's own limit (MAXFREQ, 500 ppm)
  std::int64_t nominal_tick = 10000;  // 1e6 / USER_HZ (100)
  Duration self_tolerance = std::chrono::milliseconds(500);  // libc vs raw syscall
  Duration min_clock_step = std::chrono::milliseconds(1);    // smaller "sets" are not reported
};

class TamperJudge {
 public:
  explicit TamperJudge(TamperConfig config = {}) : config_(config) {}

  // One scan of every readable process: events for processes not reported before; processes
  // gone since are forgotten (a new process with their pid is judged anew).
  std::vector<events::Event> on_processes(const std::vector<ProcessFacts>& processes,
                                          Timestamp now);
  std::vector<events::Event> on_preload_file(const std::optional<std::string>& library,
                                             Timestamp now);
  // The real-time clock was set: `step` is how far it moved relative to the monotonic clock.
  std::optional<events::Event> on_clock_set(Duration step, Timestamp now);
  // adjtimex read; `daemon` is the time daemon running, if any (chronyd, ntpd, ...).
  std::optional<events::Event> on_kernel_frequency(const KernelFrequency& now_read,
                                                   const std::string& daemon, Timestamp now);
  // The agent's own clock: libc's clock_gettime against the raw system call.
  std::optional<events::Event> on_self(Timestamp libc, Timestamp raw, Timestamp now);

  std::size_t reported_processes() const { return reported_.size(); }

 private:
  TamperConfig config_;
  std::set<std::pair<int, std::uint64_t>> reported_;  // (pid, start time) already reported
  std::optional<KernelFrequency> last_frequency_;
  bool frequency_reported_ = false, preload_reported_ = false, self_reported_ = false;
};

// The event every finding becomes: type time_tampering, attributes kind, pid, command, uid and
// evidence.
events::Event tampering_event(std::string_view kind, Timestamp now, events::Severity severity,
                              std::string evidence);

}  // namespace cw::detect
