// platform/host_time_readers.cpp — the /proc, adjtimex, clock and timerfd readers of
// platform/host_time_readers.h.
#include "platform/host_time_readers.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/timex.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <limits>
#include <stdexcept>

namespace cw::platform {
namespace {

Timestamp from_timespec(const timespec& ts) {
  return from_unix_ns(std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec);
}

// Reads a whole (small, /proc) file; errno is kept for the caller on failure.
std::optional<std::string> read_all(const std::string& path, std::size_t limit, int& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = errno;
    return std::nullopt;
  }
  std::string text;
  char buffer[8192];
  while (text.size() < limit) {
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = errno;
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

bool is_denied(int error) { return error == EACCES || error == EPERM; }

}  // namespace

std::optional<std::string> read_text_file(const std::string& path, std::size_t limit) {
  int error = 0;
  return read_all(path, limit, error);
}

std::optional<std::uint64_t> parse_stat_start_time(std::string_view stat) {
  const auto close = stat.rfind(')');  // comm may hold spaces and parentheses
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = stat.substr(close + 1);
  // Fields after comm: 3 state ... 22 starttime, i.e. the 20th field after ')'.
  for (int field = 3; field < 22; ++field) {
    const auto space = rest.find_first_not_of(' ');
    if (space == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(space);
    const auto end = rest.find(' ');
    if (end == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(end);
  }
  const auto start = rest.find_first_not_of(' ');
  if (start == std::string_view::npos) return std::nullopt;
  rest.remove_prefix(start);
  std::uint64_t value = 0;
  const auto result = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (result.ec != std::errc{} || result.ptr == rest.data()) return std::nullopt;
  return value;
}

std::optional<std::string_view> parse_stat_command(std::string_view stat) {
  const auto open = stat.find('(');
  const auto close = stat.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::nullopt;
  return stat.substr(open + 1, close - open - 1);
}

std::optional<std::uint32_t> parse_status_uid(std::string_view status) {
  const auto at = status.find("\nUid:");
  if (at == std::string_view::npos) return std::nullopt;
  auto rest = status.substr(at + 5);
  const auto start = rest.find_first_not_of(" \t");
  if (start == std::string_view::npos) return std::nullopt;
  rest.remove_prefix(start);
  std::uint32_t uid = 0;
  const auto result = std::from_chars(rest.data(), rest.data() + rest.size(), uid);
  if (result.ec != std::errc{} || result.ptr == rest.data()) return std::nullopt;
  return uid;
}

std::vector<ProcessId> list_processes(const std::string& proc_root) {
  std::vector<ProcessId> out;
  DIR* dir = ::opendir(proc_root.c_str());
  if (dir == nullptr) return out;
  while (const dirent* entry = ::readdir(dir)) {
    int pid = 0;
    const auto* name = entry->d_name;
    const auto* end = name + std::strlen(name);
    if (std::from_chars(name, end, pid).ptr != end || pid <= 0) continue;
    const auto stat = read_text_file(proc_root + "/" + name + "/stat", 4096);
    if (!stat) continue;  // gone meanwhile
    const auto start = parse_stat_start_time(*stat);
    const auto command = parse_stat_command(*stat);
    if (start && command) out.push_back({pid, *start, std::string(*command)});
  }
  ::closedir(dir);
  return out;
}

std::optional<ProcessTexts> read_process(int pid, const std::string& proc_root) {
  const auto base = proc_root + "/" + std::to_string(pid);
  ProcessTexts t;
  const auto comm = read_text_file(base + "/comm", 256);
  const auto status = read_text_file(base + "/status", 1 << 16);
  if (!comm || !status) return std::nullopt;  // gone
  t.command = *comm;
  if (!t.command.empty() && t.command.back() == '\n') t.command.pop_back();
  t.uid = parse_status_uid(*status).value_or(0);
  int error = 0;
  t.maps = read_all(base + "/maps", 1 << 22, error);
  if (!t.maps && is_denied(error)) t.denied = true;
  t.environ = read_all(base + "/environ", 1 << 20, error);
  if (!t.environ && is_denied(error)) t.denied = true;
  t.timens_offsets = read_all(base + "/timens_offsets", 4096, error);
  return t;
}

std::optional<KernelFrequencyReading> read_kernel_frequency() {
  timex tx{};
  tx.modes = 0;  // read only: nothing is set
  if (::adjtimex(&tx) < 0) return std::nullopt;
  return KernelFrequencyReading{tx.freq, tx.tick};
}

Timestamp libc_realtime() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return from_timespec(ts);
}

Timestamp raw_realtime() {
  timespec ts{};
#if defined(__x86_64__)
  long result = 0;
  asm volatile("syscall"
               : "=a"(result)
               : "0"(SYS_clock_gettime), "D"(CLOCK_REALTIME), "S"(&ts)
               : "rcx", "r11", "memory");
  (void)result;
#elif defined(__aarch64__)
  register long x8 asm("x8") = SYS_clock_gettime;
  register long x0 asm("x0") = CLOCK_REALTIME;
  register long x1 asm("x1") = reinterpret_cast<long>(&ts);
  asm volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1) : "memory");
#else
  ::syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);  // may be intercepted on this architecture
#endif
  return from_timespec(ts);
}

ClockSetWatch::ClockSetWatch() : fd_(::timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC)) {
  if (!fd_) throw std::runtime_error(std::string("timerfd_create: ") + std::strerror(errno));
  arm();
}

void ClockSetWatch::arm() {
  timespec mono{};
  ::clock_gettime(CLOCK_MONOTONIC, &mono);
  base_ = raw_realtime() - from_timespec(mono);
  itimerspec spec{};
  spec.it_value.tv_sec = std::numeric_limits<time_t>::max() / 2;  // never expires by itself
  ::timerfd_settime(fd_.get(), TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, nullptr);
}

std::optional<Duration> ClockSetWatch::take() {
  std::uint64_t expirations = 0;
  const auto n = ::read(fd_.get(), &expirations, sizeof expirations);
  if (n >= 0 || errno != ECANCELED) return std::nullopt;  // ECANCELED: the clock was set
  const Duration before = base_;
  arm();
  return base_ - before;
}

}  // namespace cw::platform
