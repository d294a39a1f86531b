// web/metrics.cpp — JSON, log line and Prometheus text of snapshot values (web/metrics.h).
#include "web/metrics.h"

#include <fmt/format.h>

#include <cmath>

namespace cw::web {
namespace {

std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15)
    return fmt::format("{}", static_cast<std::int64_t>(value));
  return fmt::format("{}", value);
}

void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

nlohmann::ordered_json json_number(const MetricValue& v) {
  if (v.field->integral && std::isfinite(v.value)) {
    if (v.value >= 0) return static_cast<std::uint64_t>(v.value);
    return static_cast<std::int64_t>(v.value);
  }
  return v.value;
}

}  // namespace

nlohmann::ordered_json snapshot_json(std::span<const MetricValue> values) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& v : values) {
    nlohmann::ordered_json* at = &out;
    std::string_view key = v.field->key;
    for (auto dot = key.find('.'); dot != std::string_view::npos; dot = key.find('.')) {
      at = &(*at)[std::string{key.substr(0, dot)}];  // "serving.stratum": {"serving":{"stratum"
      key.remove_prefix(dot + 1);
    }
    (*at)[std::string{key}] = json_number(v);
  }
  return out;
}

std::string snapshot_log_line(std::span<const MetricValue> values,
                              std::span<const std::string_view> keys) {
  std::string out;
  for (auto key : keys)
    for (const auto& v : values)
      if (v.field->key == key) {
        if (!out.empty()) out += ", ";
        out += fmt::format(
            "{} {}", key,
            v.field->integral ? number(std::round(v.value)) : fmt::format("{:.3f}", v.value));
      }
  return out;
}

void PrometheusText::family(std::string_view name, std::string_view help, MetricKind kind) {
  out_ += fmt::format("# HELP chronowatch_{} {}\n# TYPE chronowatch_{} {}\n", name, help, name,
                      kind == MetricKind::counter ? "counter" : "gauge");
}

void PrometheusText::sample(std::string_view name, const Labels& labels, double value) {
  out_ += "chronowatch_";
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i) out_ += ',';
      out_ += labels[i].first;
      out_ += "=\"";
      append_escaped(out_, labels[i].second);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += number(value);
  out_ += '\n';
}

void PrometheusText::add(std::span<const MetricValue> values) {
  for (const auto& v : values) {
    if (v.field->metric.empty()) continue;
    family(v.field->metric, v.field->help, v.field->kind);
    sample(v.field->metric, {}, v.value);
  }
}

void PrometheusText::histogram(std::string_view name, std::string_view help,
                               const HistogramValue& h) {
  out_ +=
      fmt::format("# HELP chronowatch_{} {}\n# TYPE chronowatch_{} histogram\n", name, help, name);
  const std::string bucket = std::string{name} + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.upper_bounds.size(); ++i) {
    cumulative += i < h.counts.size() ? h.counts[i] : 0;
    sample(bucket, {{"le", number(h.upper_bounds[i])}}, static_cast<double>(cumulative));
  }
  if (h.counts.size() > h.upper_bounds.size()) cumulative += h.counts.back();
  sample(bucket, {{"le", "+Inf"}}, static_cast<double>(cumulative));
  sample(std::string{name} + "_sum", {}, h.sum);
  sample(std::string{name} + "_count", {}, static_cast<double>(cumulative));
}

void PrometheusText::build_info(std::string_view program, std::string_view version) {
  family("build_info", "the build of this program; always 1", MetricKind::gauge);
  sample("build_info", {{"program", std::string{program}}, {"version", std::string{version}}}, 1);
}

}  // namespace cw::web
