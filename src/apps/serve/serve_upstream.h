// apps/serve/serve_upstream.h — the server's upstream sync thread: each upstream is one ntp::Source
// on the continuous poll schedule (burst, then 2^min–2^max s, 64–1024 s by default; the RFC 5905
// §7.4 Kiss-o'-Death policy; NTS re-keys), all run by one SourceDriver on this thread; each new
// sample goes to the UpstreamCombiner, which publishes the resulting served clock to the workers.
// When every upstream has become unreachable (its reach register is empty: eight polls without an
// answer), it publishes the fallback: the local clock at --local-stratum, or leap 3
// (unsynchronized) without one, and logs it once.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "apps/common/nts/ke_client.h"
#include "apps/common/source_driver.h"
#include "apps/serve/serve_combiner.h"
#include "apps/serve/serve_runtime.h"
#include "core/clock.h"
#include "core/random.h"
#include "ntp/poll_schedule.h"

namespace cw::apps {

class UpstreamSync {
 public:
  // servers: "host", "host:port", "[v6]:port". adjuster == nullptr: virtual clock (default).
  UpstreamSync(std::vector<std::string> servers, Clock& clock, Random& random,
               SharedServerState& state, ntp::Precision precision, ntp::PollPolicy poll,
               ClockAdjuster* adjuster, Duration step_threshold,
               std::optional<std::uint8_t> local_stratum);
  ~UpstreamSync();
  // Reach every upstream through NTS (RFC 8915): NTS-KE with it at ke_port first (again when its
  // cookies run out or it sends NTSN), then NTS-protected polls. Before start().
  void use_nts(apps::nts::KeClientOptions options, std::uint16_t ke_port);
  void start();
  void stop();

 private:
  struct Upstream;
  void run();
  void join(SourceDriver& driver);
  bool join_due() const;
  void resolve(Upstream& upstream, SourceDriver& driver);
  Result<Rekeyed, std::string> key_exchange(Upstream& upstream);
  void record(std::size_t slot, const SourceDriver& driver);
  void after_turn();
  void check_lost();

  std::vector<std::unique_ptr<Upstream>> upstreams_;
  std::vector<Upstream*> by_slot_;  // the driver's sources, in the order they joined
  Clock& clock_;
  Random& random_;
  SharedServerState& state_;
  ntp::Precision precision_;
  ntp::PollPolicy poll_;
  UpstreamCombiner combiner_;
  std::optional<apps::nts::KeClientOptions> nts_;
  std::uint16_t nts_ke_port_ = 4460;
  std::atomic<bool> synchronized_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace cw::apps
