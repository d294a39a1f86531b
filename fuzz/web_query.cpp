// fuzz/web_query.cpp — the console's request targets and parameters (web/query.h): any bytes as a
// target parse or fail without crashing; a parsed target's events and series parameters give a
// value or a ParamError naming a parameter; a limit is never above the cap.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "web/http_server.h"
#include "web/query.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  (void)cw::web::parse_listen_address(std::string{text});
  (void)cw::web::parse_time_param(text);
  const auto target = cw::web::parse_target(text);
  if (!target) return 0;
  if (target->path.find('\0') != std::string::npos) __builtin_trap();
  if (auto events = cw::web::parse_events_query(*target)) {
    const auto limit = events->page.filter.limit;
    if (limit < 1 || limit > cw::web::kMaxLimit) __builtin_trap();
  } else if (events.error().message.empty()) {
    __builtin_trap();
  }
  if (auto series =
          cw::web::parse_series_query(*target, cw::from_unix_ns(1'700'000'000'000'000'000))) {
    if (series->step.count() <= 0 || series->until <= series->since) __builtin_trap();
    if ((series->until - series->since) / series->step >= cw::web::kMaxPoints) __builtin_trap();
  }
  return 0;
}
