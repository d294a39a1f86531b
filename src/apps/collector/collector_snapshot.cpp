// apps/collector/collector_snapshot.cpp — the description of the collector's snapshot
// (apps/collector/collector_snapshot.h).
#include "apps/collector/collector_snapshot.h"

#include <array>

namespace cw::apps {
namespace {

using S = CollectorSnapshot;
constexpr auto kCounter = MetricKind::counter;
constexpr auto kGauge = MetricKind::gauge;

template <typename T>
constexpr double d(T v) {
  return static_cast<double>(v);
}

const std::array<SnapshotField<S>, 38> kFields{{
    {{"uptime_s", "collector_uptime_seconds", "seconds since the collector started", kGauge, false},
     [](const S& s) { return s.uptime_seconds; }},
    {{"connections", "collector_connections", "agent connections that said hello", kGauge},
     [](const S& s) { return d(s.in.connections); }},
    {{"agents", "collector_agents", "agents seen by this process", kGauge},
     [](const S& s) { return d(s.in.agents); }},
    {{"hellos", "collector_hellos_total", "hellos received", kCounter},
     [](const S& s) { return d(s.in.hellos); }},
    {{"hellos_repeated", "", "of those, repeated on a connection already welcomed or waiting",
      kCounter, false},
     [](const S& s) { return d(s.in.hellos_repeated); }},
    {{"batches", "collector_received_batches_total", "event batches received", kCounter},
     [](const S& s) { return d(s.in.batches); }},
    {{"events_accepted", "collector_events_accepted_total", "events received and queued", kCounter},
     [](const S& s) { return d(s.in.events_accepted); }},
    {{"events_stored", "collector_events_stored_total", "events newly stored", kCounter},
     [](const S& s) { return d(s.out.events_stored); }},
    {{"events_duplicate", "collector_events_duplicate_total",
      "events received again (resent after a lost acknowledgement), not stored twice", kCounter},
     [](const S& s) { return d(s.in.ledger.duplicates + s.out.events_duplicate); }},
    {{"events_lost_by_agents", "collector_events_lost_by_agents_total",
      "events agents said they lost (sequence gaps they declared)", kCounter},
     [](const S& s) { return d(s.in.ledger.agent_lost); }},
    {{"events_queued", "collector_queued_events", "events received, not yet stored", kGauge},
     [](const S& s) { return d(s.queued); }},
    {{"transactions", "collector_store_transactions_total", "store transactions committed",
      kCounter},
     [](const S& s) { return d(s.out.transactions); }},
    {{"store_failures", "collector_store_failures_total", "store transactions that failed",
      kCounter},
     [](const S& s) { return d(s.out.store_failures); }},
    {{"acks_sent", "collector_acks_sent_total", "acknowledgements sent to agents", kCounter},
     [](const S& s) { return d(s.in.acks_sent); }},
    {{"rewinds", "collector_rewinds_total", "agents told to resend from an earlier sequence",
      kCounter},
     [](const S& s) { return d(s.in.ledger.rewinds); }},
    {{"hello_required", "collector_hello_required_total",
      "batches refused on connections that had not said hello", kCounter},
     [](const S& s) { return d(s.in.hello_required); }},
    {{"malformed_frames", "collector_malformed_frames_total", "frames that did not decode",
      kCounter},
     [](const S& s) { return d(s.in.malformed_frames); }},
    {{"claims_refused", "collector_claims_refused_total",
      "hellos for an agent id the connection's key may not claim", kCounter},
     [](const S& s) { return d(s.in.claims_refused); }},
    {{"send_failures", "collector_send_failures_total", "frames that could not be sent", kCounter},
     [](const S& s) { return d(s.in.send_failures); }},
    {{"zap_accepted", "collector_zap_accepted_total", "CURVE handshakes admitted", kCounter},
     [](const S& s) { return d(s.zap.accepted); }},
    {{"zap_refused", "collector_zap_refused_total", "CURVE handshakes of unknown keys refused",
      kCounter},
     [](const S& s) { return d(s.zap.refused); }},
    {{"authorized_keys", "collector_authorized_keys", "agents' keys in the allow-list", kGauge},
     [](const S& s) { return d(s.zap.authorized_keys); }},
    {{"allow_list_checks", "collector_allow_list_checks_total",
      "times the allow-list file was checked for changes", kCounter},
     [](const S& s) { return d(s.zap.checks); }},
    {{"liveness_events", "collector_liveness_events_total", "agent_down and agent_up raised",
      kCounter},
     [](const S& s) { return d(s.out.liveness_events); }},
    {{"liveness_leader", "collector_liveness_leader",
      "1 when this collector sweeps liveness for every agent (several collectors on one store)",
      kGauge},
     [](const S& s) { return d(s.out.liveness_leader); }},
    {{"agents_taken_over", "collector_agents_taken_over_total",
      "agents whose sessions moved here from another collector", kCounter},
     [](const S& s) { return d(s.in.ledger.taken_over); }},
    {{"latency_p50_ms", "", "median event → stored latency, last 100 000 events", kGauge, false},
     [](const S& s) { return d(s.out.latency_p50_ns) / 1e6; }},
    {{"latency_p99_ms", "", "99th percentile event → stored latency", kGauge, false},
     [](const S& s) { return d(s.out.latency_p99_ns) / 1e6; }},
    {{"latency_recent_p50_ms", "", "median event → stored latency, last 2 000 events", kGauge,
      false},
     [](const S& s) { return d(s.out.latency_recent_p50_ns) / 1e6; }},
    {{"latency_recent_p99_ms", "", "99th percentile event → stored latency, last 2 000 events",
      kGauge, false},
     [](const S& s) { return d(s.out.latency_recent_p99_ns) / 1e6; }},
    {{"latency_received_p50_ms", "",
      "median event → read by the collector (the agent's batching and the network)", kGauge, false},
     [](const S& s) { return d(s.out.received_p50_ns) / 1e6; }},
    {{"latency_received_p99_ms", "", "99th percentile event → read by the collector", kGauge,
      false},
     [](const S& s) { return d(s.out.received_p99_ns) / 1e6; }},
    {{"latency_queued_p50_ms", "",
      "median read by the collector → its store transaction began (the wait for the writer)",
      kGauge, false},
     [](const S& s) { return d(s.out.queued_p50_ns) / 1e6; }},
    {{"latency_queued_p99_ms", "", "99th percentile read by the collector → transaction began",
      kGauge, false},
     [](const S& s) { return d(s.out.queued_p99_ns) / 1e6; }},
    {{"transaction_p50_ms", "", "median store transaction, last 1 000", kGauge, false},
     [](const S& s) { return d(s.out.transaction_p50_ns) / 1e6; }},
    {{"transaction_p99_ms", "", "99th percentile store transaction, last 1 000", kGauge, false},
     [](const S& s) { return d(s.out.transaction_p99_ns) / 1e6; }},
    {{"transaction_max_ms", "", "longest store transaction of the last 1 000", kGauge, false},
     [](const S& s) { return d(s.out.transaction_max_ns) / 1e6; }},
    {{"rss_bytes", "collector_resident_memory_bytes", "resident memory of the process", kGauge},
     [](const S& s) { return d(s.rss_bytes); }},
}};

constexpr std::array<std::string_view, 7> kLogKeys{
    "connections", "events_stored",  "events_duplicate", "malformed_frames",
    "zap_refused", "latency_p50_ms", "latency_p99_ms"};

}  // namespace

std::span<const SnapshotField<CollectorSnapshot>> collector_fields() { return kFields; }
std::span<const std::string_view> collector_log_keys() { return kLogKeys; }

HistogramValue collector_latency_histogram(const WriterStats& stats) {
  HistogramValue h;
  h.upper_bounds.assign(kLatencyBoundsSeconds.begin(), kLatencyBoundsSeconds.end());
  h.counts.assign(stats.latency_buckets.begin(), stats.latency_buckets.end());
  h.sum = stats.latency_sum_seconds;
  return h;
}

}  // namespace cw::apps
