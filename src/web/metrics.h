// web/metrics.h — snapshot values (core/snapshot.h) as a JSON object, a log line, and the
// Prometheus text exposition format 0.0.4: every name prefixed `chronowatch_`, HELP and TYPE
// once per family, label values escaped, histograms as _bucket/_sum/_count.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/snapshot.h"

namespace cw::web {

// One member per field, in order; a key with dots nests ("serving.stratum": "serving":{"stratum").
nlohmann::ordered_json snapshot_json(std::span<const MetricValue> values);
// "key value, key value, ..." of the named keys, in that order.
std::string snapshot_log_line(std::span<const MetricValue> values,
                              std::span<const std::string_view> keys);

using Labels = std::vector<std::pair<std::string_view, std::string>>;

class PrometheusText {
 public:
  void add(std::span<const MetricValue> values);  // fields with a metric name
  void family(std::string_view name, std::string_view help, MetricKind kind);
  void sample(std::string_view name, const Labels& labels, double value);
  void histogram(std::string_view name, std::string_view help, const HistogramValue& h);
  // chronowatch_build_info{version="..."} 1
  void build_info(std::string_view program, std::string_view version);
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace cw::web
