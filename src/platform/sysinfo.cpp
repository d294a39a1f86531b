// platform/sysinfo.cpp — /proc readers for heartbeats (see sysinfo.h).
#include "platform/sysinfo.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace cw::platform {
namespace {

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<std::uint64_t> to_u64(std::string_view word) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (error != std::errc{} || end != word.data() + word.size()) return std::nullopt;
  return value;
}

// The n-th (0-based) space-separated field of text.
std::string_view field(std::string_view text, std::size_t n) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < n; ++i) {
    start = text.find(' ', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  const auto end = text.find_first_of(" \n", start);
  return text.substr(start, end == std::string_view::npos ? text.size() - start : end - start);
}

}  // namespace

// proc(5): "pid (comm) state ppid ..." — comm may hold spaces and ')', so fields are counted
// after the last ')'. utime and stime are fields 14 and 15 (1-based) of the whole line.
std::optional<std::uint64_t> parse_stat_cpu_ticks(std::string_view text) {
  const auto close = text.rfind(')');
  if (close == std::string_view::npos || close + 2 > text.size()) return std::nullopt;
  const auto rest = text.substr(close + 2);  // starts at field 3 (state)
  const auto utime = to_u64(field(rest, 11)), stime = to_u64(field(rest, 12));
  if (!utime || !stime) return std::nullopt;
  return *utime + *stime;
}

std::optional<std::uint64_t> parse_statm_resident_pages(std::string_view text) {
  return to_u64(field(text, 1));
}

std::optional<double> parse_loadavg_1min(std::string_view text) {
  const auto word = field(text, 0);
  try {
    std::size_t used = 0;
    const double value = std::stod(std::string(word), &used);
    if (used != word.size() || word.empty()) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

ProcessSample sample_process() {
  ProcessSample sample;
  sample.at = MonotonicTime{
      std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch())};
  sample.cpu_ticks = parse_stat_cpu_ticks(read_text("/proc/self/stat")).value_or(0);
  sample.rss_bytes = parse_statm_resident_pages(read_text("/proc/self/statm")).value_or(0) *
                     static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  sample.load1 = parse_loadavg_1min(read_text("/proc/loadavg")).value_or(0);
  return sample;
}

double cpu_percent(const ProcessSample& before, const ProcessSample& after) {
  const double seconds = to_seconds(after.at - before.at);
  if (seconds <= 0 || after.cpu_ticks < before.cpu_ticks) return 0;
  const auto ticks_per_second = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return 100.0 * static_cast<double>(after.cpu_ticks - before.cpu_ticks) / ticks_per_second /
         seconds;
}

}  // namespace cw::platform
