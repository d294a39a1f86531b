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
  std::vector<std::string> allow, deny;
  double rate_interval = 1.0;  // average seconds between requests per client; 0 = off
  int rate_burst = 16;
  double kod_interval = 2.0;
  int rate_table = 16384;
};

}  // namespace cw::apps
