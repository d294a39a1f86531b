// ntp/selection.h — choosing among servers (RFC 5905 §11.2): the intersection algorithm marks
// falsetickers, clustering prunes outliers among the truechimers, and combining averages the
// survivors' offsets weighted by 1/root distance. Pure: the caller passes each server's numbers.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "core/time.h"

namespace cw::ntp {

inline constexpr std::size_t kMinClusterSurvivors = 3;  // NMIN (RFC 5905 A.1.1)

// One server as selection sees it (from its clock filter and packet header).
struct Candidate {
  Duration offset{};         // θ from the filter
  Duration root_distance{};  // λ: its correctness interval is [θ − λ, θ + λ]
  Duration jitter{};         // ψ, peer jitter from the filter
  int stratum = 1;           // orders candidates in clustering (lower first, then λ)
};

enum class Verdict {
  survivor,     // truechimer kept by clustering: its offset is in the combined offset
  outlier,      // truechimer pruned by clustering (still correct, just noisier)
  falseticker,  // its interval misses the intersection of the majority (§11.2.1)
  too_far,      // λ ≥ MAXDIST: not even a candidate (§11.2.1, A.5.5.1)
};

const char* to_string(Verdict v);

struct SelectionResult {
  std::vector<Verdict> verdicts;           // one per candidate, same order
  std::optional<Duration> offset;          // combined offset Θ (§11.2.3); nullopt: no majority
  Duration jitter{};                       // system jitter ϑ (§11.2.3)
  std::optional<std::size_t> system_peer;  // index of the first survivor after clustering
  Duration low{}, high{};                  // the intersection interval when a majority was found
};

// RFC 5905 §11.2.1–§11.2.3 (A.5.5.1 clock_select(), A.5.5.3 cluster, A.5.5.4 clock_combine()).
// `max_distance` is MAXDIST; candidates at or beyond it are excluded from the start.
SelectionResult select_and_combine(std::span<const Candidate> candidates,
                                   Duration max_distance = std::chrono::seconds{1});

}  // namespace cw::ntp
