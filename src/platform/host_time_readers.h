// platform/host_time_readers.h — what the tamper scan reads from the host, and only reads: the
// processes under /proc (pid, start time and command from stat; for new ones uid, maps, environ and
// timens_offsets), /etc/ld.so.preload, the kernel's frequency and tick (adjtimex with modes = 0:
// read-only, never a set), the real-time clock through libc and through the raw system call
// (an inline `syscall` instruction, which libfaketime cannot intercept), and a timerfd armed with
// TFD_TIMER_CANCEL_ON_SET that wakes when anyone sets the real-time clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "core/unique_fd.h"

namespace cw::platform {

// A process as the tamper scan knows it: an exec keeps the pid and the start time but changes the
// command (faketime forks, then execs the command with LD_PRELOAD), and makes it another process
// to judge.
struct ProcessId {
  int pid = 0;
  std::uint64_t start_time = 0;  // /proc/PID/stat field 22 (clock ticks since boot)
  std::string command;           // /proc/PID/stat field 2 (comm, at most 15 bytes)
  bool operator<(const ProcessId& o) const {
    if (pid != o.pid) return pid < o.pid;
    return start_time != o.start_time ? start_time < o.start_time : command < o.command;
  }
  bool operator==(const ProcessId&) const = default;
};

// Every process under `proc_root` (processes that vanish while listed are skipped).
std::vector<ProcessId> list_processes(const std::string& proc_root = "/proc");

struct ProcessTexts {
  std::string command;  // comm
  std::uint32_t uid = 0;
  std::optional<std::string> maps, environ, timens_offsets;  // nullopt: could not be read
  bool denied = false;  // maps or environ refused (EACCES/EPERM: needs root or CAP_SYS_PTRACE)
};
std::optional<ProcessTexts> read_process(int pid, const std::string& proc_root = "/proc");

// The file's text, or nothing when it does not exist or cannot be read.
std::optional<std::string> read_text_file(const std::string& path, std::size_t limit = 1 << 22);

// Pure parsers (tested and fuzzed on literal text).
std::optional<std::uint64_t> parse_stat_start_time(std::string_view proc_pid_stat);
// The command between the first '(' and the last ')' (comm may hold both), or nothing.
std::optional<std::string_view> parse_stat_command(std::string_view proc_pid_stat);
std::optional<std::uint32_t> parse_status_uid(std::string_view proc_pid_status);

struct KernelFrequencyReading {
  std::int64_t frequency = 0;  // timex.freq: ppm with a 16-bit fraction
  std::int64_t tick = 0;       // µs per tick
};
std::optional<KernelFrequencyReading> read_kernel_frequency();  // adjtimex(modes = 0)

Timestamp libc_realtime();  // clock_gettime(CLOCK_REALTIME) through libc (fakeable)
Timestamp raw_realtime();   // the same system call issued directly (not fakeable)

// Wakes (its fd turns readable) when the real-time clock is set; take() says by how much the
// real-time clock moved against the monotonic one since the last take, and re-arms.
class ClockSetWatch {
 public:
  ClockSetWatch();  // throws std::runtime_error when timerfd is unavailable
  int fd() const { return fd_.get(); }
  // Nothing when the clock was not set; else the step (realtime − monotonic change).
  std::optional<Duration> take();

 private:
  void arm();
  UniqueFd fd_;
  Duration base_{};  // realtime − monotonic at the last arm
};

}  // namespace cw::platform
