// apps/collector/latency_ring.h — the last N durations (nanoseconds) the collector measured, and
// their percentiles: the writer's end-to-end latency and the stages it is made of.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace cw::apps {

class LatencyRing {
 public:
  explicit LatencyRing(std::size_t capacity) : capacity_(capacity) { values_.reserve(capacity); }

  void push(std::int64_t value) {
    if (values_.size() < capacity_) {
      values_.push_back(value);
      return;
    }
    values_[next_] = value;
    next_ = (next_ + 1) % capacity_;
  }
  // A copy to take percentiles of outside the lock that guards the ring.
  std::vector<std::int64_t> values() const { return values_; }
  // The `count` most recently pushed (fewer while the ring holds fewer), oldest first.
  std::vector<std::int64_t> latest(std::size_t count) const {
    count = std::min(count, values_.size());
    std::vector<std::int64_t> out;
    out.reserve(count);
    const std::size_t end = values_.size() < capacity_ ? values_.size() : next_;
    for (std::size_t i = 0; i < count; ++i)
      out.push_back(values_[(end + values_.size() - count + i) % values_.size()]);
    return out;
  }

  // The q-quantile (0 ≤ q ≤ 1) of `values` (reordered); 0 when empty.
  static std::int64_t quantile(std::vector<std::int64_t>& values, double q) {
    if (values.empty()) return 0;
    const auto nth =
        values.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(values.size() - 1));
    std::nth_element(values.begin(), nth, values.end());
    return *nth;
  }

 private:
  std::size_t capacity_;
  std::vector<std::int64_t> values_;
  std::size_t next_ = 0;
};

}  // namespace cw::apps
