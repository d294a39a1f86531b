// apps/serve/serve_combiner.cpp — select, combine, and publish or discipline
// (apps/serve/serve_combiner.h).
#include "apps/serve/serve_combiner.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "ntp/system.h"

namespace cw::apps {

UpstreamCombiner::UpstreamCombiner(std::size_t upstreams, ntp::Precision precision,
                                   ClockAdjuster* adjuster, Duration step_threshold,
                                   std::optional<std::uint8_t> local_stratum)
    : upstreams_(upstreams),
      precision_(precision),
      adjuster_(adjuster),
      step_threshold_(step_threshold),
      local_stratum_(local_stratum) {}

void UpstreamCombiner::track(std::size_t i, ntp::Source& source, const IpAddress& address) {
  Upstream& u = upstreams_.at(i);
  u.source = &source;
  u.address = address;
}

bool UpstreamCombiner::any_reachable() const {
  return std::any_of(upstreams_.begin(), upstreams_.end(), [](const Upstream& u) {
    return u.source != nullptr && u.source->reach().reachable();
  });
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

std::optional<SharedServerState::Snapshot> UpstreamCombiner::update(Timestamp now) {
  std::vector<std::optional<ntp::SourceView>> views;
  for (const auto& u : upstreams_)
    views.push_back(u.source != nullptr ? u.source->view(now) : std::nullopt);
  const auto result = ntp::System{}.select(views, now);
  if (!result.offset() || !result.system_peer) return std::nullopt;
  const std::size_t peer = *result.system_peer;
  system_peer_ = peer;
  serving_upstream_ = true;
  // With an adjuster the system clock itself is being corrected: the served offset stays zero.
  const Duration offset = *result.offset();
  auto snap = served(upstreams_[peer], views[peer]->filter, result.selection.jitter,
                     adjuster_ != nullptr ? Duration::zero() : offset, now);
  if (adjuster_ != nullptr) discipline(views, offset);
  return snap;
}

// What the server publishes when serving `peer` at `offset` from the system clock.
SharedServerState::Snapshot UpstreamCombiner::served(const Upstream& peer,
                                                     const ntp::FilterOutput& filter,
                                                     Duration system_jitter, Duration offset,
                                                     Timestamp now) const {
  const ntp::Sample& last = *peer.source->last();  // a view implies a sample
  ntp::UpstreamView view;
  view.address = peer.address;
  view.stratum = last.server.stratum;
  view.leap = last.server.leap;
  view.root_delay = last.root.root_delay;
  view.root_dispersion = last.root.root_dispersion;
  view.delay = filter.best.delay;
  // The best sample's own dispersion plus peer and system jitter. (The filter's dispersion would
  // count its empty stages at MAXDISP: seconds, until eight samples arrive, which makes clients
  // such as chronyd reject us as too far for the first hours at long polls.)
  view.dispersion = filter.best.dispersion + filter.jitter + system_jitter;
  view.updated_at = now + offset;
  return {ntp::synchronized_state(view, precision_), offset};
}

// --discipline: the combined offset corrects the system clock, once per new best measurement
// (RFC 5905 §10: only a newer sample updates the system). A step makes every stored offset wrong.
void UpstreamCombiner::discipline(const std::vector<std::optional<ntp::SourceView>>& views,
                                  Duration offset) {
  bool fresh = false;
  for (std::size_t i = 0; i < upstreams_.size(); ++i)
    fresh = fresh || (views[i] && upstreams_[i].used != views[i]->filter.best.time);
  if (!fresh) return;
  const auto correction = ntp::decide_correction(offset, step_threshold_);
  spdlog::info("serve: --discipline: {}", ntp::describe(correction));
  ntp::apply(correction, *adjuster_);
  last_correction_ = correction;
  const bool step = correction.kind == ntp::Correction::Kind::step;
  for (std::size_t i = 0; i < upstreams_.size(); ++i) {
    Upstream& u = upstreams_[i];
    if (step && u.source != nullptr) u.source->forget_history();
    if (step)
      u.used.reset();
    else if (views[i])
      u.used = views[i]->filter.best.time;
  }
}

}  // namespace cw::apps
