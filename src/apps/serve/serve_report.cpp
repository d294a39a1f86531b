// apps/serve/serve_report.cpp — the server snapshot's field description, and its text and JSON
// forms (apps/serve/serve_report.h).
#include "apps/serve/serve_report.h"

#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>

#include "web/metrics.h"

namespace cw::apps {
namespace {

using S = ServeReport;
constexpr auto kCounter = MetricKind::counter;
constexpr auto kGauge = MetricKind::gauge;

const std::array<SnapshotField<S>, 10> kFields{{
    {{"received", "serve_received_packets_total", "datagrams received", kCounter},
     [](const S& s) { return static_cast<double>(s.counters.received); }},
    {{"answered", "", "requests answered (every kind)", kCounter},
     [](const S& s) { return static_cast<double>(s.counters.answered_total); }},
    {{"dropped", "", "requests not answered (every reason)", kCounter},
     [](const S& s) { return static_cast<double>(s.counters.dropped_total); }},
    {{"send_errors", "serve_send_errors_total", "replies the kernel refused to send", kCounter},
     [](const S& s) { return static_cast<double>(s.counters.send_errors); }},
    {{"outcomes.truncated", "serve_truncated_packets_total",
      "datagrams larger than the receive buffer", kCounter},
     [](const S& s) { return static_cast<double>(s.counters.truncated); }},
    {{"serving.stratum", "serve_stratum", "stratum served (16: unsynchronized)", kGauge},
     [](const S& s) { return static_cast<double>(s.served.state.stratum.value); }},
    {{"serving.root_delay", "serve_root_delay_seconds", "root delay served", kGauge, false},
     [](const S& s) { return to_seconds(s.served.state.root_delay); }},
    {{"serving.root_dispersion", "serve_root_dispersion_seconds", "root dispersion served", kGauge,
      false},
     [](const S& s) { return to_seconds(s.served.state.root_dispersion); }},
    {{"serving.precision", "", "precision served (log2 seconds)", kGauge},
     [](const S& s) { return static_cast<double>(s.served.state.precision.log2_seconds); }},
    {{"serving.offset", "serve_offset_seconds", "served time minus system time", kGauge, false},
     [](const S& s) { return to_seconds(s.served.offset); }},
}};

const char* leap_name(ntp::LeapIndicator leap) {
  switch (leap) {
    case ntp::LeapIndicator::no_warning:
      return "none";
    case ntp::LeapIndicator::insert_second:
      return "insert";
    case ntp::LeapIndicator::delete_second:
      return "delete";
    case ntp::LeapIndicator::unsynchronized:
      return "unsynchronized";
  }
  return "unsynchronized";
}

// Percentiles (µs) and the non-empty buckets as [upper bound ns, count] pairs, so that a reader
// can subtract two reports and get the figures of the interval between them.
nlohmann::ordered_json latency_json(const LatencyCounts& h) {
  nlohmann::ordered_json buckets = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < kLatencyBuckets; ++i)
    if (h.counts[i] > 0) buckets.push_back({latency_bucket_upper_ns(i), h.counts[i]});
  return {{"count", h.total()},
          {"p50_us", static_cast<double>(h.quantile_ns(0.5)) / 1000},
          {"p99_us", static_cast<double>(h.quantile_ns(0.99)) / 1000},
          {"p999_us", static_cast<double>(h.quantile_ns(0.999)) / 1000},
          {"buckets", buckets}};
}

std::string latency_text(const char* what, const LatencyCounts& h) {
  return fmt::format(
      "  {:<26}p50 {:.2f} µs, p99 {:.2f} µs, p99.9 {:.2f} µs (upper bucket bounds)\n", what,
      static_cast<double>(h.quantile_ns(0.5)) / 1000,
      static_cast<double>(h.quantile_ns(0.99)) / 1000,
      static_cast<double>(h.quantile_ns(0.999)) / 1000);
}

nlohmann::ordered_json nts_json(const ServeReport& r) {
  const auto& k = *r.nts;
  const auto& c = r.counters;
  return {{"ke",
           {{"accepted", k.accepted},
            {"completed", k.completed},
            {"failed",
             {{"refused", k.refused},
              {"tls", k.tls_failed},
              {"timed_out", k.timed_out},
              {"too_large", k.too_large},
              {"rate_limited", k.rate_limited}}},
            {"at_capacity", k.at_capacity}}},
          {"answered", c.outcomes[static_cast<std::size_t>(ntp::Outcome::answered_nts)]},
          {"ntsn",
           {{"bad_cookie", c.ntsn_bad_cookie}, {"bad_authenticator", c.ntsn_bad_authenticator}}},
          {"cookies_issued", {{"ke", k.cookies_issued}, {"ntp", c.nts_cookies}}}};
}

}  // namespace

std::span<const SnapshotField<ServeReport>> serve_fields() { return kFields; }

std::string format_nts_line(const ServeReport& r) {
  if (!r.nts) return "NTS-KE not started";
  const auto& k = *r.nts;
  const auto& c = r.counters;
  return fmt::format(
      "NTS-KE: {} accepted, {} completed, {} refused, {} TLS failures, {} timed out, {} too "
      "large, {} cookies issued, session cap reached {} time(s), {} rate-limited; NTS-NTP: {} "
      "answered, NTSN {} bad cookie, {} bad authenticator, {} cookies in replies",
      k.accepted, k.completed, k.refused, k.tls_failed, k.timed_out, k.too_large, k.cookies_issued,
      k.at_capacity, k.rate_limited,
      c.outcomes[static_cast<std::size_t>(ntp::Outcome::answered_nts)], c.ntsn_bad_cookie,
      c.ntsn_bad_authenticator, c.nts_cookies);
}

std::string format_report_text(const ServeReport& r) {
  const auto& c = r.counters;
  const auto& s = r.served.state;
  std::string out = fmt::format("chronowatch serve counters ({})\n", r.event);
  out += fmt::format("  {:<26}{}\n", "received", c.received);
  out += fmt::format("  {:<26}{}\n", "answered (total)", c.answered_total);
  out += fmt::format("  {:<26}{}\n", "dropped (total)", c.dropped_total);
  for (std::size_t i = 0; i < ntp::kOutcomeCount; ++i)
    out +=
        fmt::format("    {:<24}{}\n", ntp::to_string(static_cast<ntp::Outcome>(i)), c.outcomes[i]);
  out += fmt::format("    {:<24}{}\n", "truncated", c.truncated);
  out += fmt::format("  {:<26}{}\n", "send errors", c.send_errors);
  if (r.nts) out += "  " + format_nts_line(r) + "\n";
  out += latency_text("T3 - T2", c.t3_t2);
  out += latency_text("T3 - recvmmsg return", c.processing);
  out +=
      fmt::format("  serving: leap {}, stratum {}, refid {}, offset {:+.9f} s\n", leap_name(s.leap),
                  s.stratum.value, s.reference_id.to_string(), to_seconds(r.served.offset));
  return out;
}

std::string format_report_json(const ServeReport& r) {
  const auto& c = r.counters;
  auto j = web::snapshot_json(values_of(serve_fields(), r));
  j["event"] = r.event;
  for (std::size_t i = 0; i < ntp::kOutcomeCount; ++i)
    j["outcomes"][std::string(ntp::to_string(static_cast<ntp::Outcome>(i)))] = c.outcomes[i];
  j["serving"]["leap"] = leap_name(r.served.state.leap);
  j["serving"]["refid"] = r.served.state.reference_id.to_string();
  j["latency"] = {{"t3_t2", latency_json(c.t3_t2)}, {"processing", latency_json(c.processing)}};
  if (r.nts) j["nts"] = nts_json(r);
  return j.dump();
}

}  // namespace cw::apps
