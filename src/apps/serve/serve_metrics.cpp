// apps/serve/serve_metrics.cpp — serve's Prometheus text (apps/serve/serve_metrics.h).
#include "apps/serve/serve_metrics.h"

#include <array>

#include "web/metrics.h"

namespace cw::apps {
namespace {

using S = ServeReport;

// The worker histograms' 80 buckets folded to 2 µs steps up to 16 µs, then their doublings. The
// sum is taken at each bucket's upper bound (the workers keep counts, not sums): an upper bound.
HistogramValue latency_histogram(const LatencyCounts& counts) {
  HistogramValue h;
  std::uint64_t pending = 0;
  for (std::size_t i = 0; i < kLatencyBuckets; ++i) {
    const double upper = static_cast<double>(latency_bucket_upper_ns(i)) / 1e9;
    pending += counts.counts[i];
    h.sum += upper * static_cast<double>(counts.counts[i]);
    const bool keep = i >= kLinearBuckets || (i + 1) % 8 == 0;
    if (!keep) continue;
    h.upper_bounds.push_back(upper);
    h.counts.push_back(pending);
    pending = 0;
  }
  h.counts.push_back(pending);
  return h;
}

const std::array<SnapshotField<S>, 3> kNtsFields{{
    {{"nts_ke_accepted", "serve_nts_ke_accepted_total", "NTS-KE connections taken as sessions",
      MetricKind::counter},
     [](const S& s) { return static_cast<double>(s.nts->accepted); }},
    {{"nts_ke_completed", "serve_nts_ke_completed_total",
      "NTS-KE sessions that sent keys and cookies", MetricKind::counter},
     [](const S& s) { return static_cast<double>(s.nts->completed); }},
    {{"nts_ke_at_capacity", "serve_nts_ke_at_capacity_total",
      "times the NTS-KE session cap held new connections back", MetricKind::counter},
     [](const S& s) { return static_cast<double>(s.nts->at_capacity); }},
}};

// NTS (RFC 8915): the KE sessions and their failures by reason, NTSN by reason, cookies issued.
void nts_metrics(web::PrometheusText& out, const S& r) {
  const auto& k = *r.nts;
  const auto& c = r.counters;
  out.add(values_of<S>(kNtsFields, r));
  out.family("serve_nts_ke_failed_total",
             "NTS-KE connections that got no keys, by reason (rate_limited: closed at accept)",
             MetricKind::counter);
  for (const auto& [reason, n] : {std::pair{"refused", k.refused},
                                  {"tls", k.tls_failed},
                                  {"timed_out", k.timed_out},
                                  {"too_large", k.too_large},
                                  {"rate_limited", k.rate_limited}})
    out.sample("serve_nts_ke_failed_total", {{"reason", reason}}, static_cast<double>(n));
  out.family("serve_nts_naks_total", "NTSN Kiss-o'-Death sent, by reason", MetricKind::counter);
  out.sample("serve_nts_naks_total", {{"reason", "bad_cookie"}},
             static_cast<double>(c.ntsn_bad_cookie));
  out.sample("serve_nts_naks_total", {{"reason", "bad_authenticator"}},
             static_cast<double>(c.ntsn_bad_authenticator));
  out.family("serve_nts_cookies_issued_total", "NTS cookies issued: by NTS-KE, in NTS replies",
             MetricKind::counter);
  out.sample("serve_nts_cookies_issued_total", {{"via", "ke"}},
             static_cast<double>(k.cookies_issued));
  out.sample("serve_nts_cookies_issued_total", {{"via", "ntp"}},
             static_cast<double>(c.nts_cookies));
}

}  // namespace

std::string serve_metrics_text(const ServeReport& report) {
  web::PrometheusText out;
  out.build_info("serve", CW_VERSION);
  out.add(values_of(serve_fields(), report));
  out.family("serve_responses_total", "replies sent, by kind", MetricKind::counter);
  out.family("serve_dropped_packets_total", "requests not answered, by reason",
             MetricKind::counter);
  for (std::size_t i = 0; i < ntp::kOutcomeCount; ++i) {
    const auto outcome = static_cast<ntp::Outcome>(i);
    const std::string name{ntp::to_string(outcome)};
    const auto value = static_cast<double>(report.counters.outcomes[i]);
    if (ntp::is_answer(outcome))
      out.sample("serve_responses_total", {{"kind", name}}, value);
    else
      out.sample("serve_dropped_packets_total",
                 {{"reason", name.starts_with("ignored_") ? name.substr(8) : name}}, value);
  }
  if (report.nts) nts_metrics(out, report);
  out.histogram("serve_response_latency_seconds",
                "T3 - T2: from the kernel's receive timestamp to the transmit timestamp",
                latency_histogram(report.counters.t3_t2));
  return out.text();
}

}  // namespace cw::apps
