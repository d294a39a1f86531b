// ntp/clock_filter.h — the RFC 5905 §10 clock filter for one server: an 8-stage shift register of
// measurements; the one with the least delay is the best estimate, the others give the peer
// dispersion and jitter. Pure: the caller passes measurements (with their local times) and `now`.
#pragma once

#include <array>
#include <cstddef>
#include <optional>

#include "ntp/measurement.h"

namespace cw::ntp {

inline constexpr std::size_t kFilterStages = 8;  // NSTAGE (RFC 5905 A.1.1)

// What the filter says about its server.
struct FilterOutput {
  Measurement best;         // the minimum-delay stage (its offset, delay and own dispersion)
  Duration dispersion{};    // peer dispersion ε = Σ ε_i / 2^(i+1) over stages sorted by delay
  Duration jitter{};        // peer jitter ψ: RMS of the offsets' differences from best.offset
  std::size_t samples = 0;  // stages holding a measurement younger than MAXDISP of dispersion
  bool fresh = false;       // best is newer than the last output used (RFC: only newer updates)
};

class ClockFilter {
 public:
  // local_precision floors the jitter (RFC 5905: ψ ≥ the system precision).
  explicit ClockFilter(Duration local_precision = precision_duration(-20));

  // Shifts `m` into the register (RFC 5905 §10 clock_filter()) and returns the new output as of
  // m.time. `fresh` is false when the minimum-delay stage is one already reported: the RFC then
  // leaves the peer variables unchanged, and a poller should not feed it to selection again.
  FilterOutput add(const Measurement& m);

  // The output as of `now` (stages age by PHI × elapsed); nullopt when no stage holds data.
  std::optional<FilterOutput> output(Timestamp now) const;

  // Forgets every stage (e.g. after the server's clock stepped or it was unreachable).
  void reset();

 private:
  struct Stage {
    Measurement m;
    bool filled = false;
  };
  std::array<Stage, kFilterStages> stages_{};  // [0] is the newest
  Duration local_precision_;
  std::optional<Timestamp> last_used_;  // time of the best sample last reported as fresh
};

}  // namespace cw::ntp
