// platform/syscall_filter.h — a seccomp filter (libseccomp) that a daemon installs on itself once
// started: from then on only the system calls on its allow-list are possible, in every thread.
// Anything else (execve, fork, ptrace, mount, setuid, ...) kills the whole process with SIGSYS,
// after one line on stderr naming the call. chrony's `-F 1` is the model.
#pragma once

namespace cw::platform {

struct SyscallFilterOptions {
  bool adjust_clock = false;    // also allow adjtimex/clock_adjtime/clock_settime (--discipline)
  bool packet_capture = false;  // also allow AF_PACKET sockets (the agent's --interface)
  // Also allow adjtimex/clock_adjtime, the only calls that read the kernel's frequency and tick
  // (the agent's tamper scan, with modes 0). A filter cannot see `modes` inside struct timex, so
  // what keeps such a process from changing the clock is the capability: without CAP_SYS_TIME
  // (the agent's unit grants it only with --discipline) the kernel refuses modes other than 0.
  // clock_settime and settimeofday stay forbidden.
  bool read_kernel_clock = false;
};

// Installs the filter for the calling process (all its threads: SECCOMP_FILTER_FLAG_TSYNC), and
// sets no_new_privs. Throws std::runtime_error when the kernel refuses it.
void install_syscall_filter(const SyscallFilterOptions& options);

}  // namespace cw::platform
