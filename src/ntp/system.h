// ntp/system.h — the system process over many sources (RFC 5905 §11.2): each source's view (its
// clock filter and root, ntp/source.h) becomes a candidate with its root distance λ as of now;
// selection marks falsetickers, clustering keeps the survivors, combining gives the offset.
// Written once for query, the agent and serve's upstreams. Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "core/time.h"
#include "ntp/measurement.h"
#include "ntp/selection.h"
#include "ntp/source.h"

namespace cw::ntp {

struct SystemResult {
  SelectionResult selection;                       // over the candidates, in order
  std::vector<std::optional<Verdict>> verdicts;    // per view given; nullopt: no view
  std::vector<std::optional<Duration>> distances;  // λ each candidate was judged by
  std::optional<std::size_t> system_peer;          // index into the views given

  std::optional<Duration> offset() const { return selection.offset; }
  std::size_t candidates() const { return selection.verdicts.size(); }
};

class System {
 public:
  explicit System(Duration max_distance = kMaxDistance) : max_distance_(max_distance) {}

  // RFC 5905 A.5.5.1–A.5.5.4 over the views (nullopt entries are not candidates), as of `now`.
  SystemResult select(std::span<const std::optional<SourceView>> views, Timestamp now) const;

 private:
  Duration max_distance_;
};

}  // namespace cw::ntp
