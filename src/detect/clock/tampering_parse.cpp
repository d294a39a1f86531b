// detect/clock/tampering_parse.cpp — the /proc text parsers of detect/clock/tampering.h.
#include <charconv>

#include "detect/clock/tampering.h"

namespace cw::detect {
namespace {

bool names_faking_library(std::string_view text) {
  return text.find("libfaketime") != std::string_view::npos ||
         text.find("faketime/lib") != std::string_view::npos ||
         text.find("libdatefudge") != std::string_view::npos ||
         text.find("datefudge.so") != std::string_view::npos;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Calls f(line) for each line (or NUL-separated entry) until f returns true.
template <typename F>
bool each_line(std::string_view text, char separator, F f) {
  while (!text.empty()) {
    const auto end = text.find(separator);
    const auto line = text.substr(0, end);
    if (f(line)) return true;
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return false;
}

bool parse_int(std::string_view s, std::int64_t& out) {
  s = trim(s);
  if (s.empty()) return false;
  const auto* end = s.data() + s.size();
  const auto result = std::from_chars(s.data(), end, out);
  return result.ec == std::errc{} && result.ptr == end;
}

}  // namespace

std::optional<std::string> faking_library_in_maps(std::string_view maps) {
  std::optional<std::string> found;
  each_line(maps, '\n', [&](std::string_view line) {
    const auto slash = line.find('/');  // the pathname column starts with '/'
    if (slash == std::string_view::npos) return false;
    const auto path = trim(line.substr(slash));
    if (!names_faking_library(path)) return false;
    found = std::string(path);
    return true;
  });
  return found;
}

std::optional<std::string> faking_variable_in_environ(std::string_view environ) {
  std::optional<std::string> found;
  each_line(environ, '\0', [&](std::string_view entry) {
    const bool faketime = entry.substr(0, 8) == "FAKETIME" && entry.find('=') != entry.npos;
    const bool preload = entry.substr(0, 11) == "LD_PRELOAD=" && names_faking_library(entry);
    if (!faketime && !preload) return false;
    found = std::string(entry.substr(0, 256));
    return true;
  });
  return found;
}

std::optional<std::string> faking_library_in_preload(std::string_view preload) {
  std::optional<std::string> found;
  each_line(preload, '\n', [&](std::string_view line) {
    line = trim(line);
    if (line.empty() || line.front() == '#' || !names_faking_library(line)) return false;
    found = std::string(line.substr(0, 256));
    return true;
  });
  return found;
}

std::optional<TimeNamespaceOffsets> parse_timens_offsets(std::string_view text) {
  TimeNamespaceOffsets out;
  int lines = 0;
  bool bad = false;
  each_line(text, '\n', [&](std::string_view line) {
    line = trim(line);
    if (line.empty()) return false;
    const auto a = line.find_first_of(" \t");
    if (a == std::string_view::npos) return bad = true;
    const auto name = line.substr(0, a);
    auto rest = trim(line.substr(a));
    const auto b = rest.find_first_of(" \t");
    std::int64_t seconds = 0, nanoseconds = 0;
    if (b == std::string_view::npos || !parse_int(rest.substr(0, b), seconds) ||
        !parse_int(rest.substr(b), nanoseconds) || nanoseconds < 0 ||
        nanoseconds >= 1'000'000'000 || seconds > (std::int64_t{1} << 33) ||
        seconds < -(std::int64_t{1} << 33))
      return bad = true;
    const Duration offset = std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanoseconds);
    if (name == "monotonic")
      out.monotonic = offset;
    else if (name == "boottime")
      out.boottime = offset;
    else
      return bad = true;
    ++lines;
    return false;
  });
  if (bad || lines == 0) return std::nullopt;
  return out;
}

}  // namespace cw::detect
