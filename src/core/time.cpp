// core/time.cpp — conversions and formatting for core/time.h.
#include "core/time.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cmath>

namespace cw {

Duration from_seconds(double seconds) { return Duration{std::llround(seconds * 1e9)}; }

std::string to_iso8601(Timestamp t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t - seconds).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", seconds, micros);
}

}  // namespace cw

namespace cw {
namespace {

// Reads exactly `digits` decimal digits at `pos`; nullopt if any is not a digit.
std::optional<int> read_digits(std::string_view text, std::size_t& pos, std::size_t digits) {
  if (pos + digits > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += digits;
  return value;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

// "[.fraction]" after the seconds: up to 9 digits kept, more are read and ignored.
std::optional<Duration> read_fraction(std::string_view text, std::size_t& pos) {
  if (pos >= text.size() || (text[pos] != '.' && text[pos] != ',')) return Duration{0};
  ++pos;
  std::int64_t ns = 0;
  std::size_t digits = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (digits < 9) ns = ns * 10 + (text[pos] - '0');
    ++digits;
    ++pos;
  }
  if (digits == 0) return std::nullopt;
  for (std::size_t i = digits; i < 9; ++i) ns *= 10;
  return Duration{ns};
}

// "Z", "+HH:MM", "-HHMM", "+HH" or nothing (UTC); the returned offset is local minus UTC.
std::optional<Duration> read_zone(std::string_view text, std::size_t& pos) {
  if (pos == text.size()) return Duration{0};
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
    return Duration{0};
  }
  if (text[pos] != '+' && text[pos] != '-') return std::nullopt;
  const int sign = text[pos++] == '-' ? -1 : 1;
  auto hours = read_digits(text, pos, 2);
  if (!hours) return std::nullopt;
  expect(text, pos, ':');
  int minutes = 0;
  if (pos < text.size()) {
    auto m = read_digits(text, pos, 2);
    if (!m) return std::nullopt;
    minutes = *m;
  }
  if (*hours > 23 || minutes > 59) return std::nullopt;
  return std::chrono::minutes{sign * (*hours * 60 + minutes)};
}

}  // namespace

std::optional<Timestamp> parse_iso8601(std::string_view text) {
  using namespace std::chrono;
  std::size_t pos = 0;
  auto y = read_digits(text, pos, 4);
  if (!y || !expect(text, pos, '-')) return std::nullopt;
  if (*y < 1678 || *y > 2261) return std::nullopt;  // beyond int64 nanoseconds from 1970
  auto mo = read_digits(text, pos, 2);
  if (!mo || !expect(text, pos, '-')) return std::nullopt;
  auto d = read_digits(text, pos, 2);
  if (!d) return std::nullopt;
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)},
                            day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  Timestamp result = time_point_cast<Duration>(sys_days{date});
  if (pos == text.size()) return result;
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
  ++pos;
  auto h = read_digits(text, pos, 2);
  if (!h || !expect(text, pos, ':')) return std::nullopt;
  auto mi = read_digits(text, pos, 2);
  if (!mi) return std::nullopt;
  int s = 0;
  std::optional<Duration> fraction = Duration{0};
  if (expect(text, pos, ':')) {
    auto sec = read_digits(text, pos, 2);
    if (!sec) return std::nullopt;
    s = *sec;
    fraction = read_fraction(text, pos);
  }
  auto zone = read_zone(text, pos);
  if (!fraction || !zone || pos != text.size() || *h > 23 || *mi > 59 || s > 60)
    return std::nullopt;
  return result + hours{*h} + minutes{*mi} + seconds{s} + *fraction - *zone;
}

}  // namespace cw
