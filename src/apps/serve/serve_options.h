// apps/serve/serve_options.h — everything `chronowatch serve` can be told (flags, environment, the
// `serve:` section of the YAML config), and the exit codes it documents.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cw::apps {

inline constexpr int kExitServeCannotBind = 3;  // a listen address could not be bound
inline constexpr int kExitServeKeys = 4;        // the keyfile or NTP_SECRET_KEY is unusable
inline constexpr int kExitServePrivileges = 5;  // --user could not be switched to

struct ServeOptions {
  std::vector<std::string> listen;    // ADDR:PORT; default *:123 and [::]:123
  std::vector<std::string> upstream;  // SERVER[:PORT]; default pool.ntp.org; "none" = no upstream
  bool upstream_given = false;
  std::optional<int> local_stratum;
  int min_poll = 6;   // log2 s between upstream polls, at least (chrony's minpoll)
  int max_poll = 10;  // ... and at most (chrony's maxpoll); ntp::poll_policy checks
  std::string keyfile;
  bool require_auth = false;
  int threads = 0;  // 0: one per core
  int spin_us = 0;  // busy-poll after a datagram before blocking (0: off)
  std::string user;
  bool discipline = false;
  bool no_seccomp = false;       // do not install the seccomp filter once listening
  double step_threshold = 25.0;  // seconds (seed 001)
  bool json = false;
  std::string metrics;  // --metrics ADDR:PORT: Prometheus text at /metrics
  std::vector<std::string> allow, deny;
  double rate_interval = 1.0;  // average seconds between requests per client; 0 = off
  int rate_burst = 16;
  double kod_interval = 2.0;
  int rate_table = 16384;
  // NTS (RFC 8915): apps/serve/serve_nts.h
  std::string nts_cert, nts_key;        // PEM certificate chain and its key: NTS on when given
  std::string nts_ke_listen;            // ADDR:PORT; default: the first --listen address, port 4460
  std::string nts_key_file;             // cookie master keys, kept across restarts
  double nts_rotate = 7 * 24 * 3600.0;  // seconds between master-key rotations
  bool require_nts = false;
  int nts_ke_max_sessions = 128;
  double nts_ke_rate_interval = 1.0;  // average seconds between NTS-KE sessions per address; 0 off
  int nts_ke_rate_burst = 32;         // sessions an address may open back to back
  int nts_ntp_port = 0;               // the NTP port NTS-KE announces; 0: the port we listen on
  bool upstream_nts = false;          // --nts: reach the upstreams through NTS
  std::string nts_ca;                 // their trust store; empty: the system's
  int nts_ke_port = 4460;             // their NTS-KE port
};

// Why serve cannot use a value of --listen, --allow, --deny or --min-poll/--max-poll (one line that
// starts with the flag), or nullopt; checked while parsing, so that serve exits 2 with the flag,
// its variable and its key named.
std::optional<std::string> serve_usage_problem(const ServeOptions& options);

}  // namespace cw::apps
