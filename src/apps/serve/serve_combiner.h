// apps/serve/serve_combiner.h — turns the upstreams' associations into the clock the server
// serves: each upstream is an ntp::Source (its reach register and RFC 5905 clock filter),
// ntp::System selects and combines across them (§10–§11), and the result is either a virtual clock
// (served time = system time + combined offset; the default) or, with --discipline, a correction of
// the system clock through the injected ClockAdjuster (step above the threshold, slew below) while
// the served offset stays zero. No sockets, no clock reads.
#pragma once

#include <optional>
#include <vector>

#include "apps/serve/serve_runtime.h"
#include "core/clock.h"
#include "core/ip_address.h"
#include "ntp/clock_correction.h"
#include "ntp/source.h"

namespace cw::apps {

class UpstreamCombiner {
 public:
  // adjuster == nullptr: virtual clock. Otherwise every combined offset is applied to it.
  // local_stratum: what to serve once every upstream is lost (ntp::fallback_state).
  UpstreamCombiner(std::size_t upstreams, ntp::Precision precision, ClockAdjuster* adjuster,
                   Duration step_threshold,
                   std::optional<std::uint8_t> local_stratum = std::nullopt);

  // Upstream i is run by `source` (the shell's; it outlives the combiner's use of it) at
  // `address`; called again when NTS-KE moved it. Until then upstream i is not a candidate.
  void track(std::size_t i, ntp::Source& source, const IpAddress& address);
  // Whether any upstream answered at least one of its last eight polls.
  bool any_reachable() const;

  // Selection and combining (ntp::System) as of `now` (system clock) among the reachable
  // upstreams. nullopt: no reachable upstream has data or no majority agrees; otherwise the state
  // to publish (and, with an adjuster, the correction done when a filter's best is new).
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
    ntp::Source* source = nullptr;
    IpAddress address;
    std::optional<Timestamp> used;  // the filter's best when it last drove a correction
  };
  SharedServerState::Snapshot served(const Upstream& peer, const ntp::FilterOutput& filter,
                                     Duration system_jitter, Duration offset, Timestamp now) const;
  void discipline(const std::vector<std::optional<ntp::SourceView>>& views, Duration offset);

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
