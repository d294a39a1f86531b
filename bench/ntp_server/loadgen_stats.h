// bench/ntp_server/loadgen_stats.h — what the NTP load generator counts and measures: requests
// sent, replies by verdict, and the distribution of the server-side processing time T3 − T2 read
// from the replies themselves.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cw::bench {

struct LoadStats {
  std::uint64_t sent = 0;
  std::uint64_t valid = 0;    // mode 4, our origin, non-zero T2/T3, T3 ≥ T2, MAC ok if keyed
  std::uint64_t invalid = 0;  // anything else that arrived
  std::uint64_t kiss_of_death = 0;   // stratum 0
  std::uint64_t unsynchronized = 0;  // valid but LI = 3
  std::uint64_t nts_seen = 0;        // NTS replies whose header and unique identifier passed
  std::uint64_t verified = 0;        // NTS replies also checked in full (authenticator, cookies)
  std::vector<std::uint32_t> server_ns;  // T3 − T2 of valid replies, ns (capped sample count)

  void add_server_time(std::int64_t ns);
  void merge(const LoadStats& other);
};

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;  // ns
};
Percentiles percentiles(std::vector<std::uint32_t> samples);

std::string to_json(const LoadStats& stats, const std::string& mode, double rate, double seconds);

}  // namespace cw::bench
