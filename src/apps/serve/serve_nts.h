// apps/serve/serve_nts.h — NTS for `chronowatch serve` (RFC 8915): the cookie master keys (loaded
// from --nts-key-file or made fresh, persisted with mode 0600 and an atomic rename, rotated every
// --nts-rotate seconds keeping the previous ones) and the NTS-KE server on its own thread. The
// NTP workers answer NTS requests through the responder, with the same key ring.
#pragma once

#include <memory>
#include <string>

#include "apps/common/nts/ke_server.h"
#include "apps/serve/serve_options.h"
#include "apps/serve/serve_report.h"
#include "core/clock.h"
#include "core/random.h"
#include "ntp/nts/cookies.h"

namespace cw::apps {

class ServeNts {
 public:
  // nullptr without --nts-cert. Throws std::runtime_error (a usage or key-file problem) with one
  // line saying which flag or file.
  static std::unique_ptr<ServeNts> make(const ServeOptions& options, Random& random, Clock& clock);

  std::shared_ptr<const ntp::nts::ServerCookies> cookies() const { return cookies_; }
  // Binds and starts the NTS-KE server; ntp_port goes into its port record when not 123.
  void start(std::uint16_t ntp_port);
  void stop();
  // Rotates the master key when --nts-rotate has passed (called about once a second).
  void tick();
  // The NTS-KE counters now (all zero before start()), for the report, the log and /metrics.
  NtsKeCounts ke_counts() const;
  // SIGHUP: reads --nts-key-file again and serves its keys (current first). Returns a line for
  // the log; throws std::runtime_error (the keys in use stay) when the file is unusable.
  std::string reload();
  const apps::nts::KeServer* ke() const { return ke_.get(); }

 private:
  ServeNts(const ServeOptions& options, Random& random, Clock& clock);
  ntp::nts::MasterKey fresh_key();
  void persist() const;

  const ServeOptions& options_;
  Random& random_;
  Clock& clock_;
  std::shared_ptr<ntp::nts::ServerCookies> cookies_;
  std::unique_ptr<apps::nts::KeServer> ke_;
  MonotonicTime next_rotation_{};
};

}  // namespace cw::apps
