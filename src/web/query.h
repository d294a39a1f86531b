// web/query.h — a request target split into its path and query parameters (percent-decoded), and
// the API's parameters read from it into store requests: every bad value is a ParamError naming
// the parameter, so the client gets 400 {"error": ..., "parameter": ...}. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/event_store.h"

namespace cw::web {

struct ParamError {
  std::string message;
  std::string parameter;  // empty when the error is not one parameter's
};

struct Target {
  std::string path;                                         // decoded, e.g. "/api/v1/agents/a b"
  std::vector<std::string> segments;                        // path split on '/', decoded each
  std::vector<std::pair<std::string, std::string>> params;  // in order; '+' is a space
  const std::string* param(std::string_view name) const;    // the last one of that name
};

// nullopt when the target is not an origin-form path ("/...") or its encoding is bad (a '%'
// without two hex digits, or a NUL).
std::optional<Target> parse_target(std::string_view target);
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

inline constexpr std::size_t kDefaultLimit = 100;
inline constexpr std::size_t kMaxLimit = 1000;

// GET /api/v1/events and the stream: since, until (ISO 8601 or Unix seconds), agent, type,
// severity (this or worse), limit (1..kMaxLimit, default kDefaultLimit), order (asc|desc,
// default desc), cursor (from a previous page's next_cursor). Unknown parameters are refused.
struct EventsQuery {
  store::PageRequest page;  // descending by default
};
Result<EventsQuery, ParamError> parse_events_query(const Target& target);
// The filters alone (since, until, agent, type, severity) with `allowed` extra parameter names.
Result<store::EventFilter, ParamError> parse_event_filter(const Target& target,
                                                          std::vector<std::string_view> allowed);

// GET /api/v1/series/offset: agent (required), since, until (default: the last hour up to now),
// step in seconds (default: (until - since) / 300, at least 1 s; at most kMaxPoints points).
inline constexpr std::int64_t kMaxPoints = 10000;
struct SeriesQuery {
  std::string agent;
  Timestamp since, until;
  Duration step;
};
Result<SeriesQuery, ParamError> parse_series_query(const Target& target, Timestamp now);

// A time parameter: ISO 8601 (core/time.h) or Unix seconds with an optional fraction, from
// 1970-01-01T00:00:00Z on (earlier times are refused).
std::optional<Timestamp> parse_time_param(std::string_view text);

}  // namespace cw::web
