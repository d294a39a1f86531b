// bench/ntp_server/loadgen_stats.cpp — counters, percentiles and the JSON summary of the load
// generator (bench/ntp_server/loadgen_stats.h).
#include "loadgen_stats.h"

#include <algorithm>
#include <cstdio>

namespace cw::bench {
namespace {

constexpr std::size_t kMaxSamples = 20'000'000;

double at(const std::vector<std::uint32_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1));
  return sorted[i];
}

}  // namespace

void LoadStats::add_server_time(std::int64_t ns) {
  if (server_ns.size() < kMaxSamples)
    server_ns.push_back(static_cast<std::uint32_t>(std::clamp<std::int64_t>(ns, 0, 0xffffffff)));
}

void LoadStats::merge(const LoadStats& o) {
  sent += o.sent;
  valid += o.valid;
  invalid += o.invalid;
  kiss_of_death += o.kiss_of_death;
  unsynchronized += o.unsynchronized;
  nts_seen += o.nts_seen;
  verified += o.verified;
  server_ns.insert(server_ns.end(), o.server_ns.begin(), o.server_ns.end());
}

Percentiles percentiles(std::vector<std::uint32_t> s) {
  std::sort(s.begin(), s.end());
  Percentiles p;
  p.p50 = at(s, 0.50);
  p.p90 = at(s, 0.90);
  p.p99 = at(s, 0.99);
  p.p999 = at(s, 0.999);
  p.max = s.empty() ? 0 : s.back();
  return p;
}

std::string to_json(const LoadStats& st, const std::string& mode, double rate, double seconds) {
  const auto p = percentiles(st.server_ns);
  const double answered = static_cast<double>(st.valid + st.kiss_of_death);
  const double loss = st.sent ? 1.0 - answered / static_cast<double>(st.sent) : 0.0;
  char buffer[768];
  std::snprintf(
      buffer, sizeof buffer,
      "{\"mode\":\"%s\",\"rate\":%.0f,\"seconds\":%.3f,\"sent\":%llu,\"valid\":%llu,"
      "\"invalid\":%llu,\"kod\":%llu,\"unsynchronized\":%llu,\"verified\":%llu,"
      "\"responses_per_s\":%.1f,"
      "\"loss\":%.6f,\"t3_t2_ns\":{\"p50\":%.0f,\"p90\":%.0f,\"p99\":%.0f,\"p999\":%.0f,"
      "\"max\":%.0f}}",
      mode.c_str(), rate, seconds, static_cast<unsigned long long>(st.sent),
      static_cast<unsigned long long>(st.valid), static_cast<unsigned long long>(st.invalid),
      static_cast<unsigned long long>(st.kiss_of_death),
      static_cast<unsigned long long>(st.unsynchronized),
      static_cast<unsigned long long>(st.verified), static_cast<double>(st.valid) / seconds,
      std::max(0.0, loss), p.p50, p.p90, p.p99, p.p999, p.max);
  return buffer;
}

}  // namespace cw::bench
