// apps/serve_report.cpp — text and JSON forms of the server's counters (apps/serve_report.h).
#include "apps/serve_report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace cw::apps {
namespace {

const char* leap_name(ntp::LeapIndicator leap) {
  switch (leap) {
    case ntp::LeapIndicator::no_warning: return "none";
    case ntp::LeapIndicator::insert_second: return "insert";
    case ntp::LeapIndicator::delete_second: return "delete";
    case ntp::LeapIndicator::unsynchronized: return "unsynchronized";
  }
  return "unsynchronized";
}

}  // namespace

std::string format_report_text(const ServeReport& r) {
  const auto& c = r.counters;
  const auto& s = r.served.state;
  std::string out = fmt::format("chronowatch serve counters ({})\n", r.event);
  out += fmt::format("  {:<26}{}\n", "received", c.received);
  out += fmt::format("  {:<26}{}\n", "answered (total)", c.answered_total);
  out += fmt::format("  {:<26}{}\n", "dropped (total)", c.dropped_total);
  for (std::size_t i = 0; i < ntp::kOutcomeCount; ++i)
    out += fmt::format("    {:<24}{}\n", ntp::to_string(static_cast<ntp::Outcome>(i)), c.outcomes[i]);
  out += fmt::format("    {:<24}{}\n", "truncated", c.truncated);
  out += fmt::format("  {:<26}{}\n", "send errors", c.send_errors);
  out += fmt::format("  serving: leap {}, stratum {}, refid {}, offset {:+.9f} s\n", leap_name(s.leap),
                     s.stratum.value, s.reference_id.to_string(), to_seconds(r.served.offset));
  return out;
}

std::string format_report_json(const ServeReport& r) {
  const auto& c = r.counters;
  const auto& s = r.served.state;
  nlohmann::json outcomes = nlohmann::json::object();
  for (std::size_t i = 0; i < ntp::kOutcomeCount; ++i)
    outcomes[std::string(ntp::to_string(static_cast<ntp::Outcome>(i)))] = c.outcomes[i];
  outcomes["truncated"] = c.truncated;
  nlohmann::json j = {
      {"event", r.event},
      {"received", c.received},
      {"answered", c.answered_total},
      {"dropped", c.dropped_total},
      {"send_errors", c.send_errors},
      {"outcomes", outcomes},
      {"serving",
       {{"leap", leap_name(s.leap)},
        {"stratum", s.stratum.value},
        {"refid", s.reference_id.to_string()},
        {"root_delay", to_seconds(s.root_delay)},
        {"root_dispersion", to_seconds(s.root_dispersion)},
        {"precision", s.precision.log2_seconds},
        {"offset", to_seconds(r.served.offset)}}},
  };
  return j.dump();
}

}  // namespace cw::apps
