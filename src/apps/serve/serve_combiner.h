// apps/serve/serve_combiner.h — turns the upstreams' validated samples into the clock the server
// serves: each upstream's RFC 5905 clock filter, then selection and combining across upstreams
// (§10–§11), then either a virtual clock (served time = system time + combined offset; the default)
// or, with --discipline, a correction of the system clock through the injected ClockAdjuster (step
// above the threshold, slew below) while the served offset stays zero. No sockets, no clock reads.
#pragma once

#include <optional>
#include <vector>

#include "apps/serve/serve_runtime.h"
#include "core/clock.h"
#include "ntp/clock_correction.h"
#include "ntp/clock_filter.h"
#include "ntp/exchange.h"
#include "ntp/reach.h"

namespace cw::apps {

class UpstreamCombiner {
 public:
  // adjuster == nullptr: virtual clock. Otherwise every combined offset is applied to it.
  // local_stratum: what to serve once every upstream is lost (ntp::fallback_state).
  UpstreamCombiner(std::size_t upstreams, ntp::Precision precision, ClockAdjuster* adjuster,
                   Duration step_threshold,
                   std::optional<std::uint8_t> local_stratum = std::nullopt);

  // A request to upstream i goes out (shifts its reach register, RFC 5905 §13).
  void polled(std::size_t i) { upstreams_.at(i).reach.polled(); }
  // Upstream i's reach register as its ntp::Source keeps it.
  void set_reach(std::size_t i, ntp::ReachRegister reach) { upstreams_.at(i).reach = reach; }
  // Whether any upstream answered at least one of its last eight polls.
  bool any_reachable() const;

  // A validated sample from upstream i (at `address`); it also answers upstream i's latest poll.
  void add(std::size_t i, const IpAddress& address, const ntp::Sample& sample);

  // Selection and combining as of `now` (system clock) among the reachable upstreams. nullopt: no
  // reachable upstream has data or no majority agrees; otherwise the state to publish (and, with an
  // adjuster, the correction done).
  std::optional<SharedServerState::Snapshot> update(Timestamp now);

  // Once, when the server was serving an upstream's time and every upstream has since become
  // unreachable: the fallback to publish instead (`current` with its state replaced by the local
  // clock at the local stratum, or by leap 3). `now` is the system clock. nullopt otherwise.
  std::optional<SharedServerState::Snapshot> lost(Timestamp now,
                                                  const SharedServerState::Snapshot& current);
  bool serving_upstream() const { return serving_upstream_; }

  std::optional<std::size_t> system_peer() const { return system_peer_; }
  std::optional<ntp::Correction> last_correction() const { return last_correction_; }

 private:
  struct Upstream {
    ntp::ClockFilter filter;
    std::optional<ntp::Sample> last;
    IpAddress address;
    bool fresh = false;
    ntp::ReachRegister reach;
  };
  std::vector<Upstream> upstreams_;
  ntp::Precision precision_;
  ClockAdjuster* adjuster_;
  Duration step_threshold_;
  std::optional<std::uint8_t> local_stratum_;
  bool serving_upstream_ = false;
  std::optional<std::size_t> system_peer_;
  std::optional<ntp::Correction> last_correction_;
};

}  // namespace cw::apps
