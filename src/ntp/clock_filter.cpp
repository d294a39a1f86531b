// ntp/clock_filter.cpp — RFC 5905 §10 and Appendix A.5.2 (clock_filter()) for ntp/clock_filter.h.
#include "ntp/clock_filter.h"

#include <algorithm>
#include <cmath>

namespace cw::ntp {
namespace {

struct Aged {
  Measurement m;
  Duration dispersion;  // the stage's dispersion aged to `now`, MAXDISP when empty
  bool valid;
};

}  // namespace

ClockFilter::ClockFilter(Duration local_precision) : local_precision_(local_precision) {}

FilterOutput ClockFilter::add(const Measurement& m) {
  std::move_backward(stages_.begin(), stages_.end() - 1, stages_.end());
  stages_[0] = Stage{m, true};
  auto current = output(m.time);
  if (!current)
    return FilterOutput{m, kMaxDispersion, Duration::zero(), 0, false};  // all too dispersed
  auto out = *current;
  out.fresh = !last_used_ || out.best.time > *last_used_;
  if (out.fresh) last_used_ = out.best.time;
  return out;
}

std::optional<FilterOutput> ClockFilter::output(Timestamp now) const {
  std::array<Aged, kFilterStages> aged{};
  for (std::size_t i = 0; i < kFilterStages; ++i) {
    const auto& stage = stages_[i];
    const Duration dispersion =
        stage.filled
            ? std::min(stage.m.dispersion + dispersion_growth(now - stage.m.time), kMaxDispersion)
            : kMaxDispersion;
    aged[i] = Aged{stage.m, dispersion, stage.filled && dispersion < kMaxDispersion};
  }
  // Sort by delay; stages without valid data sort last (the RFC treats them as delay MAXDISP).
  std::stable_sort(aged.begin(), aged.end(), [](const Aged& a, const Aged& b) {
    if (a.valid != b.valid) return a.valid;
    return a.valid && a.m.delay < b.m.delay;
  });
  const auto valid = static_cast<std::size_t>(
      std::count_if(aged.begin(), aged.end(), [](const Aged& a) { return a.valid; }));
  if (valid == 0) return std::nullopt;

  FilterOutput out;
  out.best = aged[0].m;
  out.samples = valid;
  // ε = Σ ε_i / 2^(i+1), accumulated from the last stage as in A.5.2.
  double dispersion = 0;
  double squares = 0;
  for (std::size_t i = kFilterStages; i-- > 0;) {
    dispersion = 0.5 * (dispersion + static_cast<double>(aged[i].dispersion.count()));
    if (i < valid) {
      const auto diff = static_cast<double>((aged[i].m.offset - out.best.offset).count());
      squares += diff * diff;
    }
  }
  out.dispersion = Duration{static_cast<std::int64_t>(std::llround(dispersion))};
  const double jitter = valid > 1 ? std::sqrt(squares / static_cast<double>(valid - 1)) : 0.0;
  out.jitter =
      std::max(Duration{static_cast<std::int64_t>(std::llround(jitter))}, local_precision_);
  return out;
}

void ClockFilter::reset() {
  stages_ = {};
  last_used_.reset();
}

}  // namespace cw::ntp
