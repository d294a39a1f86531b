// ntp/system.cpp — candidates, selection and combining (see ntp/system.h).
#include "ntp/system.h"

namespace cw::ntp {

SystemResult System::select(std::span<const std::optional<SourceView>> views, Timestamp now) const {
  SystemResult result;
  result.verdicts.resize(views.size());
  result.distances.resize(views.size());
  std::vector<Candidate> candidates;
  std::vector<std::size_t> index;
  for (std::size_t i = 0; i < views.size(); ++i) {
    if (!views[i]) continue;
    const auto& v = *views[i];
    const Duration lambda = root_distance(v.filter.best, v.root, v.filter.jitter, now);
    result.distances[i] = lambda;
    candidates.push_back({v.filter.best.offset, lambda, v.filter.jitter, v.stratum});
    index.push_back(i);
  }
  result.selection = select_and_combine(candidates, max_distance_);
  for (std::size_t k = 0; k < index.size(); ++k)
    result.verdicts[index[k]] = result.selection.verdicts[k];
  if (result.selection.offset && result.selection.system_peer)
    result.system_peer = index[*result.selection.system_peer];
  return result;
}

}  // namespace cw::ntp
