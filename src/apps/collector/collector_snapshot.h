// apps/collector/collector_snapshot.h — the collector's counters as one snapshot struct and one
// description of its fields (core/snapshot.h): its JSON lines (--json), its log line, GET
// /api/v1/stats and /metrics are all produced from these.
#pragma once

#include <span>

#include "apps/collector/collector_writer.h"
#include "core/snapshot.h"
#include "transport/zmq/zap_handler.h"
#include "transport/zmq/zmq_collector.h"

namespace cw::apps {

struct CollectorSnapshot {
  transport::IngestStats in;
  WriterStats out;
  transport::ZapStats zap;
  std::size_t queued = 0;
  double uptime_seconds = 0;
  std::uint64_t rss_bytes = 0;
};

std::span<const SnapshotField<CollectorSnapshot>> collector_fields();
// The keys of the log line, in order.
std::span<const std::string_view> collector_log_keys();
// End-to-end latency (event timestamp → committed) as a Prometheus histogram.
HistogramValue collector_latency_histogram(const WriterStats& stats);

}  // namespace cw::apps
