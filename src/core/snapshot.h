// core/snapshot.h — observability as data: a daemon's counters are one snapshot struct plus one
// description of its fields (JSON key, Prometheus name, help, counter or gauge); the JSON lines,
// the log line and the Prometheus text are all produced from that description (web/metrics.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace cw {

enum class MetricKind { counter, gauge };

struct MetricField {
  std::string_view key;     // JSON key, e.g. "events_stored" (stays what scripts already read)
  std::string_view metric;  // Prometheus name after the prefix, base units, counters end in
                            // _total: "collector_events_stored_total"; empty: JSON only
  std::string_view help;
  MetricKind kind = MetricKind::gauge;
  bool integral = true;  // JSON prints an integer
};

struct MetricValue {
  const MetricField* field;
  double value;
};

template <typename Snapshot>
struct SnapshotField {
  MetricField field;
  double (*get)(const Snapshot&);
};

template <typename Snapshot>
std::vector<MetricValue> values_of(std::span<const SnapshotField<Snapshot>> description,
                                   const Snapshot& snapshot) {
  std::vector<MetricValue> out;
  out.reserve(description.size());
  for (const auto& f : description) out.push_back({&f.field, f.get(snapshot)});
  return out;
}

// A histogram in Prometheus' shape: counts per upper bound (not cumulative), their sum.
struct HistogramValue {
  std::vector<double> upper_bounds;   // ascending, in the metric's base unit
  std::vector<std::uint64_t> counts;  // one per bound, plus the overflow (+Inf) at the end
  double sum = 0;
};

}  // namespace cw
