// ntp/selection.cpp — RFC 5905 §11.2 (Appendix A.5.5) for ntp/selection.h.
#include "ntp/selection.h"

#include <algorithm>
#include <cmath>

namespace cw::ntp {
namespace {

struct Interval {
  Duration low, high;
};

// §11.2.1: the smallest interval containing points of the correctness intervals of a majority
// (n − allow) of candidates, with at most `allow` midpoints outside it. nullopt: no majority.
std::optional<Interval> intersect(const std::vector<Candidate>& cs) {
  struct Edge {
    Duration at;
    int type;  // −1 low end, 0 midpoint, +1 high end
  };
  std::vector<Edge> edges;
  for (const auto& c : cs) {
    edges.push_back({c.offset - c.root_distance, -1});
    edges.push_back({c.offset, 0});
    edges.push_back({c.offset + c.root_distance, +1});
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
    return a.at != b.at ? a.at < b.at : a.type < b.type;
  });
  const auto n = static_cast<int>(cs.size());
  for (int allow = 0; 2 * allow < n; ++allow) {
    int found = 0;
    int chime = 0;
    Duration low{}, high{};
    for (const auto& e : edges) {
      chime -= e.type;
      if (chime >= n - allow) {
        low = e.at;
        break;
      }
      if (e.type == 0) ++found;
    }
    chime = 0;
    for (auto e = edges.rbegin(); e != edges.rend(); ++e) {
      chime += e->type;
      if (chime >= n - allow) {
        high = e->at;
        break;
      }
      if (e->type == 0) ++found;
    }
    if (found > allow) continue;
    if (high > low) return Interval{low, high};
  }
  return std::nullopt;
}

double seconds_sq(Duration d) {
  const double s = to_seconds(d);
  return s * s;
}

// §11.2.2: while more than NMIN remain, drop the survivor with the largest selection jitter if
// that exceeds the smallest peer jitter. `order` holds candidate indexes, best metric first.
void cluster(const std::vector<Candidate>& cs, std::vector<std::size_t>& order,
             std::vector<Verdict>& verdicts) {
  while (order.size() > kMinClusterSurvivors) {
    double worst = -1;
    std::size_t worst_at = 0;
    double min_peer_jitter = 1e300;
    for (std::size_t i = 0; i < order.size(); ++i) {
      double sum = 0;
      for (const auto j : order) sum += seconds_sq(cs[j].offset - cs[order[i]].offset);
      const double selection_jitter = std::sqrt(sum / static_cast<double>(order.size() - 1));
      if (selection_jitter > worst) {
        worst = selection_jitter;
        worst_at = i;
      }
      min_peer_jitter = std::min(min_peer_jitter, to_seconds(cs[order[i]].jitter));
    }
    if (worst <= min_peer_jitter) break;
    verdicts[order[worst_at]] = Verdict::outlier;
    order.erase(order.begin() + static_cast<std::ptrdiff_t>(worst_at));
  }
}

// §11.2.3 clock_combine(): Θ = Σ(θ_i/λ_i) / Σ(1/λ_i); ϑ from the spread around the system peer.
void combine(const std::vector<Candidate>& cs, const std::vector<std::size_t>& order,
             SelectionResult& out) {
  double y = 0, z = 0, w = 0;
  const Duration peer_offset = cs[order.front()].offset;
  for (const auto i : order) {
    const double x = std::max(to_seconds(cs[i].root_distance), 1e-9);
    y += 1 / x;
    z += to_seconds(cs[i].offset) / x;
    w += seconds_sq(cs[i].offset - peer_offset) / x;
  }
  out.offset = from_seconds(z / y);
  const double selection_jitter = std::sqrt(w / y);
  out.jitter = from_seconds(
      std::sqrt(selection_jitter * selection_jitter + seconds_sq(cs[order.front()].jitter)));
  out.system_peer = order.front();
}

}  // namespace

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::survivor:
      return "survivor";
    case Verdict::outlier:
      return "outlier";
    case Verdict::falseticker:
      return "falseticker";
    case Verdict::too_far:
      return "too_far";
  }
  return "?";
}

SelectionResult select_and_combine(std::span<const Candidate> candidates, Duration max_distance) {
  SelectionResult out;
  out.verdicts.assign(candidates.size(), Verdict::too_far);
  std::vector<Candidate> fit;
  std::vector<std::size_t> fit_index;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (candidates[i].root_distance < max_distance &&
        candidates[i].root_distance >= Duration::zero()) {
      fit.push_back(candidates[i]);
      fit_index.push_back(i);
    }
  }
  const auto interval = fit.empty() ? std::nullopt : intersect(fit);
  if (!interval) {
    for (const auto i : fit_index) out.verdicts[i] = Verdict::falseticker;
    return out;
  }
  out.low = interval->low;
  out.high = interval->high;
  std::vector<std::size_t> order;  // indexes into `fit`
  for (std::size_t k = 0; k < fit.size(); ++k) {
    const bool inside = fit[k].offset >= interval->low && fit[k].offset <= interval->high;
    out.verdicts[fit_index[k]] = inside ? Verdict::survivor : Verdict::falseticker;
    if (inside) order.push_back(k);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (fit[a].stratum != fit[b].stratum) return fit[a].stratum < fit[b].stratum;
    return fit[a].root_distance < fit[b].root_distance;
  });
  std::vector<Verdict> fit_verdicts(fit.size(), Verdict::survivor);
  cluster(fit, order, fit_verdicts);
  for (std::size_t k = 0; k < fit.size(); ++k)
    if (fit_verdicts[k] == Verdict::outlier) out.verdicts[fit_index[k]] = Verdict::outlier;
  combine(fit, order, out);
  out.system_peer = fit_index[*out.system_peer];
  return out;
}

}  // namespace cw::ntp
