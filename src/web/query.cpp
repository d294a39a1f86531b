// web/query.cpp — request targets and the API's parameters (web/query.h).
#include "web/query.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "web/cursor.h"

namespace cw::web {
namespace {

constexpr std::size_t kMaxParams = 64;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

ParamError bad(std::string parameter, std::string message) {
  return ParamError{std::move(message), std::move(parameter)};
}

std::optional<std::int64_t> parse_count(std::string_view text) {
  std::int64_t value = 0;
  if (text.empty() || text.size() > 18) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Result<std::optional<Timestamp>, ParamError> time_param(const Target& target, const char* name) {
  const auto* text = target.param(name);
  if (!text) return std::optional<Timestamp>{};
  auto t = parse_time_param(*text);
  if (!t) return fail(bad(name, std::string{name} + ": not a time (ISO 8601 or Unix seconds)"));
  return t;
}

Result<bool, ParamError> refuse_unknown(const Target& target,
                                        const std::vector<std::string_view>& known) {
  for (const auto& [name, value] : target.params)
    if (std::find(known.begin(), known.end(), name) == known.end())
      return fail(bad(name, "unknown parameter " + name));
  return true;
}

}  // namespace

const std::string* Target::param(std::string_view name) const {
  const std::string* found = nullptr;
  for (const auto& [key, value] : params)
    if (key == name) found = &value;
  return found;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_digit(text[i + 1]), low = hex_digit(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      c = static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out += c;
  }
  return out;
}

std::optional<Target> parse_target(std::string_view target) {
  if (target.empty() || target[0] != '/') return std::nullopt;
  Target out;
  const auto question = target.find('?');
  const auto raw_path = target.substr(0, question);
  auto path = percent_decode(raw_path, false);
  if (!path) return std::nullopt;
  out.path = std::move(*path);
  for (std::size_t start = 1; start <= raw_path.size();) {
    auto end = raw_path.find('/', start);
    if (end == std::string_view::npos) end = raw_path.size();
    auto segment = percent_decode(raw_path.substr(start, end - start), false);
    if (!segment) return std::nullopt;
    out.segments.push_back(std::move(*segment));
    start = end + 1;
  }
  if (question == std::string_view::npos) return out;
  auto query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    if (out.params.size() == kMaxParams) return std::nullopt;
    const auto equals = pair.find('=');
    auto name = percent_decode(pair.substr(0, equals), true);
    auto value = percent_decode(
        equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1), true);
    if (!name || !value) return std::nullopt;
    out.params.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

std::optional<Timestamp> parse_time_param(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  const bool looks_iso = text.substr(1).find_first_of("-:T") != std::string_view::npos;
  std::optional<Timestamp> out;
  if (looks_iso) {
    out = parse_iso8601(text);
  } else {
    double seconds = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(seconds) ||
        std::fabs(seconds) > 9.2e9)
      return std::nullopt;
    out = from_unix_ns(static_cast<std::int64_t>(std::llround(seconds * 1e9)));
  }
  // Before 1970 nothing was stored, and refusing it keeps until - since inside 64-bit nanoseconds.
  if (out && unix_ns(*out) < 0) return std::nullopt;
  return out;
}

Result<store::EventFilter, ParamError> parse_event_filter(const Target& target,
                                                          std::vector<std::string_view> allowed) {
  for (auto name : {"since", "until", "agent", "type", "severity"}) allowed.push_back(name);
  if (auto known = refuse_unknown(target, allowed); !known) return fail(known.error());
  store::EventFilter filter;
  auto since = time_param(target, "since");
  if (!since) return fail(since.error());
  auto until = time_param(target, "until");
  if (!until) return fail(until.error());
  filter.since = *since, filter.until = *until;
  if (filter.since && filter.until && *filter.until < *filter.since)
    return fail(bad("until", "until is before since"));
  if (const auto* agent = target.param("agent")) {
    if (agent->empty() || agent->size() > 256) return fail(bad("agent", "agent: 1 to 256 bytes"));
    filter.agent_id = *agent;
  }
  if (const auto* type = target.param("type")) {
    filter.type = events::parse_event_type(*type);
    if (!filter.type) return fail(bad("type", "unknown event type " + *type));
  }
  if (const auto* severity = target.param("severity")) {
    filter.min_severity = events::parse_severity(*severity);
    if (!filter.min_severity)
      return fail(bad("severity", "severity: info, low, medium, high or critical"));
  }
  return filter;
}

Result<EventsQuery, ParamError> parse_events_query(const Target& target) {
  auto filter = parse_event_filter(target, {"limit", "order", "cursor"});
  if (!filter) return fail(filter.error());
  EventsQuery out;
  out.page.filter = std::move(*filter);
  out.page.filter.limit = kDefaultLimit;
  out.page.descending = true;
  if (const auto* limit = target.param("limit")) {
    auto n = parse_count(*limit);
    if (!n || *n < 1) return fail(bad("limit", "limit: a whole number from 1"));
    out.page.filter.limit = static_cast<std::size_t>(std::min<std::int64_t>(*n, kMaxLimit));
  }
  if (const auto* order = target.param("order")) {
    if (*order != "asc" && *order != "desc") return fail(bad("order", "order: asc or desc"));
    out.page.descending = *order == "desc";
  }
  if (const auto* cursor = target.param("cursor")) {
    out.page.after = decode_page_cursor(*cursor);
    if (!out.page.after) return fail(bad("cursor", "cursor: not one this server gave"));
  }
  return out;
}

Result<SeriesQuery, ParamError> parse_series_query(const Target& target, Timestamp now) {
  if (auto known = refuse_unknown(target, {"agent", "since", "until", "step"}); !known)
    return fail(known.error());
  SeriesQuery out;
  const auto* agent = target.param("agent");
  if (!agent || agent->empty()) return fail(bad("agent", "agent is required"));
  out.agent = *agent;
  auto since = time_param(target, "since");
  if (!since) return fail(since.error());
  auto until = time_param(target, "until");
  if (!until) return fail(until.error());
  out.until = until->value_or(now);
  out.since = since->value_or(out.until - std::chrono::hours(1));
  if (out.until <= out.since) return fail(bad("until", "until must be after since"));
  const auto span = out.until - out.since;
  out.step = std::max<Duration>(std::chrono::seconds(1), span / 300);
  if (const auto* step = target.param("step")) {
    auto seconds = parse_count(*step);
    if (!seconds || *seconds < 1) return fail(bad("step", "step: whole seconds from 1"));
    out.step = std::chrono::seconds(*seconds);
  }
  if (span / out.step >= kMaxPoints)
    return fail(bad("step", "step too small: at most 10000 points per series"));
  return out;
}

}  // namespace cw::web
