// apps/serve/serve_combiner.cpp — filter, select, combine, and publish or discipline
// (apps/serve_combiner.h).
#include "apps/serve/serve_combiner.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "ntp/system.h"

namespace cw::apps {

UpstreamCombiner::UpstreamCombiner(std::size_t upstreams, ntp::Precision precision,
                                   ClockAdjuster* adjuster, Duration step_threshold,
                                   std::optional<std::uint8_t> local_stratum)
    : precision_(precision),
      adjuster_(adjuster),
      step_threshold_(step_threshold),
      local_stratum_(local_stratum) {
  for (std::size_t i = 0; i < upstreams; ++i)
    upstreams_.push_back(
        Upstream{ntp::ClockFilter(precision.duration()), std::nullopt, IpAddress{}, false, {}});
}

bool UpstreamCombiner::any_reachable() const {
  return std::any_of(upstreams_.begin(), upstreams_.end(),
                     [](const Upstream& u) { return u.reach.reachable(); });
}

std::optional<SharedServerState::Snapshot> UpstreamCombiner::lost(
    Timestamp now, const SharedServerState::Snapshot& current) {
  if (!serving_upstream_ || any_reachable()) return std::nullopt;
  serving_upstream_ = false;
  system_peer_.reset();
  SharedServerState::Snapshot out = current;  // the virtual clock keeps its last offset
  out.state = ntp::fallback_state(local_stratum_, precision_, now + current.offset);
  return out;
}

void UpstreamCombiner::add(std::size_t i, const IpAddress& address, const ntp::Sample& sample) {
  Upstream& u = upstreams_.at(i);
  const auto out = u.filter.add(sample.measurement);
  u.last = sample;
  u.address = address;
  u.reach.answered();
  u.fresh = u.fresh || out.fresh;
}

std::optional<SharedServerState::Snapshot> UpstreamCombiner::update(Timestamp now) {
  std::vector<std::optional<ntp::SourceView>> views;
  std::vector<ntp::FilterOutput> outputs(upstreams_.size());
  for (std::size_t i = 0; i < upstreams_.size(); ++i) {
    const auto& u = upstreams_[i];
    const auto out = u.filter.output(now);
    const bool fit = out && u.last && u.reach.reachable();  // RFC 5905 A.5.5.1 fit(): reach == 0
    views.push_back(fit ? std::optional(ntp::view_of(*out, *u.last)) : std::nullopt);
    if (fit) outputs[i] = *out;
  }
  const auto result = ntp::System{}.select(views, now);
  if (!result.offset() || !result.system_peer) return std::nullopt;
  const std::size_t peer = *result.system_peer;
  system_peer_ = peer;
  serving_upstream_ = true;
  const Upstream& u = upstreams_[peer];
  const ntp::FilterOutput& f = outputs[peer];
  ntp::UpstreamView view;
  view.address = u.address;
  view.stratum = u.last->server.stratum;
  view.leap = u.last->server.leap;
  view.root_delay = u.last->root.root_delay;
  view.root_dispersion = u.last->root.root_dispersion;
  view.delay = f.best.delay;
  // The best sample's own dispersion plus peer and system jitter. (The filter's dispersion would
  // count its empty stages at MAXDISP: seconds, until eight samples arrive, which makes clients
  // such as chronyd reject us as too far for the first hours at long polls.)
  view.dispersion = f.best.dispersion + f.jitter + result.selection.jitter;
  SharedServerState::Snapshot snap;
  snap.offset = *result.offset();
  view.updated_at = now + snap.offset;
  snap.state = ntp::synchronized_state(view, precision_);
  if (adjuster_ != nullptr) {
    const bool any_fresh = std::any_of(upstreams_.begin(), upstreams_.end(),
                                       [](const Upstream& x) { return x.fresh; });
    if (any_fresh) {
      const auto correction = ntp::decide_correction(snap.offset, step_threshold_);
      spdlog::info("serve: --discipline: {}", ntp::describe(correction));
      ntp::apply(correction, *adjuster_);
      last_correction_ = correction;
      if (correction.kind == ntp::Correction::Kind::step)
        for (auto& x : upstreams_) x.filter.reset();  // every stored offset is now wrong
      for (auto& x : upstreams_) x.fresh = false;
    }
    view.updated_at = now;
    snap.state = ntp::synchronized_state(view, precision_);
    snap.offset = Duration::zero();  // the system clock itself is being corrected
  }
  return snap;
}

}  // namespace cw::apps
