// platform/syscall_filter.cpp — the allow-list of syscall_filter.h. The list is what glibc,
// libstdc++, spdlog, Paho MQTT, libzmq (opened on first use) and our own shells call after
// start-up, found with `strace -f -c` over the integration tests of serve and the agent; an
// addition needs the test that shows it is used.
#include "platform/syscall_filter.h"

#include <linux/sockios.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>

namespace cw::platform {
namespace {

// The process's own life: memory, threads, signals, time, logs to stderr.
constexpr std::array kRuntime{
    "brk",
    "mmap",
    "munmap",
    "mremap",
    "mprotect",
    "madvise",
    "mlock",
    "munlock",
    "futex",
    "set_robust_list",
    "get_robust_list",
    "rseq",
    "membarrier",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "rt_sigtimedwait",
    "rt_sigpending",
    "sigaltstack",
    "restart_syscall",
    "exit",
    "exit_group",
    "getpid",
    "gettid",
    "getppid",
    "tgkill",
    "tkill",
    "sched_yield",
    "sched_getaffinity",
    "sched_getparam",
    "sched_getscheduler",
    "getrandom",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getgroups",
    "uname",
    "prlimit64",
    "getrlimit",
    "getrusage",
    "times",
    "sysinfo",
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    "clock_nanosleep",
    "nanosleep",
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "close",
    "close_range",
    "fcntl",
    "ioctl",
    "lseek",
    "dup",
    "dup2",
    "dup3",
    "pipe",
    "pipe2",
    "eventfd2",
    "timerfd_create",
    "timerfd_settime",
    "timerfd_gettime",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "poll",
    "ppoll",
    "select",
    "pselect6",
};

// Files: the spools, the sequence file, key and config files read again on SIGHUP, /etc files
// of the resolver, shared libraries opened on first use (libzmq, libpcap).
constexpr std::array kFiles{
    "openat",   "open",       "stat",     "fstat",     "lstat",      "newfstatat", "statx",
    "statfs",   "fstatfs",    "access",   "faccessat", "faccessat2", "readlink",   "readlinkat",
    "getcwd",   "getdents64", "fsync",    "fdatasync", "ftruncate",  "fallocate",  "unlink",
    "unlinkat", "rename",     "renameat", "renameat2", "mkdir",      "mkdirat",    "rmdir",
    "fchmod",   "umask",      "flock",    "fadvise64",
};

// Sockets of the allowed families (see kFamilies): NTP, MQTT, ZeroMQ, the resolver.
constexpr std::array kSockets{
    "connect",     "bind",       "listen",     "accept",   "accept4",  "getsockname",
    "getpeername", "setsockopt", "getsockopt", "sendto",   "recvfrom", "sendmsg",
    "recvmsg",     "sendmmsg",   "recvmmsg",   "shutdown",
};

constexpr std::array kClock{"adjtimex", "clock_adjtime", "clock_settime", "settimeofday"};
constexpr std::array kClockRead{"adjtimex", "clock_adjtime"};

extern "C" void on_forbidden_call(int, siginfo_t* info, void*) {
  // Async-signal-safe: a fixed message and the number, then the default action (kill).
  char text[160] = "chronowatch: seccomp: forbidden system call number ";
  std::size_t at = std::strlen(text);
  char digits[12];
  int n = 0;
  for (unsigned v = static_cast<unsigned>(info->si_syscall); n == 0 || v > 0; v /= 10)
    digits[n++] = static_cast<char>('0' + v % 10);
  while (n > 0) text[at++] = digits[--n];
  const char tail[] = " (ausyscall NUMBER names it); killed. Run with --no-seccomp and report it\n";
  std::memcpy(text + at, tail, sizeof tail - 1);
  at += sizeof tail - 1;
  [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, text, at);
  ::signal(SIGSYS, SIG_DFL);
  ::raise(SIGSYS);  // delivered (default action: terminate the process) when the handler returns
}

class Filter {
 public:
  Filter() : ctx_(seccomp_init(SCMP_ACT_TRAP)) {
    if (ctx_ == nullptr) throw std::runtime_error("seccomp: cannot create a filter");
  }
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;
  ~Filter() { seccomp_release(ctx_); }

  template <typename List>
  void allow(const List& names) {
    for (const char* name : names) {
      const int number = seccomp_syscall_resolve_name(name);
      if (number != __NR_SCMP_ERROR) check(seccomp_rule_add(ctx_, SCMP_ACT_ALLOW, number, 0), name);
    }
  }
  void rule(uint32_t action, const char* name, const scmp_arg_cmp& arg) {
    check(seccomp_rule_add(ctx_, action, seccomp_syscall_resolve_name(name), 1, arg), name);
  }
  void rule(uint32_t action, const char* name) {
    check(seccomp_rule_add(ctx_, action, seccomp_syscall_resolve_name(name), 0), name);
  }
  void load() {
    check(seccomp_attr_set(ctx_, SCMP_FLTATR_CTL_TSYNC, 1), "TSYNC");
    check(seccomp_load(ctx_), "load");
  }

 private:
  static void check(int result, const char* what) {
    if (result < 0)
      throw std::runtime_error(std::string("seccomp: ") + what + ": " + std::strerror(-result));
  }
  scmp_filter_ctx ctx_;
};

}  // namespace

void install_syscall_filter(const SyscallFilterOptions& options) {
  Filter filter;
  filter.allow(kRuntime);
  filter.allow(kFiles);
  filter.allow(kSockets);
  if (options.adjust_clock)
    filter.allow(kClock);
  else if (options.read_kernel_clock)
    filter.allow(kClockRead);
  // Threads only: clone with CLONE_THREAD; clone3 (whose flags a filter cannot read) answers
  // ENOSYS, so glibc falls back to clone. fork() and vfork() are forbidden.
  filter.rule(SCMP_ACT_ALLOW, "clone", SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
  filter.rule(SCMP_ACT_ERRNO(ENOSYS), "clone3");
  for (int family : {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK})
    filter.rule(SCMP_ACT_ALLOW, "socket", SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(family)));
  if (options.packet_capture)
    filter.rule(SCMP_ACT_ALLOW, "socket", SCMP_A0(SCMP_CMP_EQ, AF_PACKET));
  filter.rule(SCMP_ACT_ALLOW, "socketpair", SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
  // ioctl: terminal checks (spdlog's isatty), readable bytes, non-blocking mode, and interface
  // queries (libpcap, the resolver); not TIOCSTI and the rest.
  for (unsigned long request : {TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIOCLEX, SIOCGIFINDEX,
                                SIOCGIFNAME, SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFHWADDR, SIOCGIFCONF})
    filter.rule(SCMP_ACT_ALLOW, "ioctl", SCMP_A1(SCMP_CMP_EQ, request));
  // libzmq sets its new threads' policy to what they have (SCHED_OTHER): that and nothing else.
  filter.rule(SCMP_ACT_ALLOW, "sched_setscheduler", SCMP_A1(SCMP_CMP_EQ, SCHED_OTHER));
  // libzmq sets its new threads' policy to what they have (SCHED_OTHER): that and nothing else.
  filter.rule(SCMP_ACT_ALLOW, "sched_setscheduler", SCMP_A1(SCMP_CMP_EQ, SCHED_OTHER));
  for (int option : {PR_SET_NAME, PR_GET_NAME})  // thread names (libzmq, spdlog)
    filter.rule(SCMP_ACT_ALLOW, "prctl", SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(option)));
  struct sigaction action {};
  action.sa_sigaction = on_forbidden_call;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGSYS, &action, nullptr);
  filter.load();  // sets no_new_privs too (SCMP_FLTATR_CTL_NNP defaults to on)
}

}  // namespace cw::platform
