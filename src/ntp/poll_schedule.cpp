// ntp/poll_schedule.cpp — burst, adaptive interval and KoD back-off (ntp/poll_schedule.h).
#include "ntp/poll_schedule.h"

#include <algorithm>

namespace cw::ntp {

PollSchedule::PollSchedule(PollPolicy policy)
    : policy_(policy), log2_(policy.min_log2), burst_left_(std::max(policy.burst - 1, 0)) {}

Duration PollSchedule::interval() const { return std::chrono::seconds(std::int64_t{1} << log2_); }

Duration PollSchedule::after_sample(bool agrees) {
  misses_ = 0;
  if (burst_left_ > 0) {
    --burst_left_;
    return policy_.burst_spacing;
  }
  if (!agrees) {
    agreeing_ = 0;
    log2_ = std::max<std::int8_t>(policy_.min_log2, static_cast<std::int8_t>(log2_ - 1));
    return interval();
  }
  if (++agreeing_ >= policy_.stable_to_lengthen) {
    agreeing_ = 0;
    log2_ = std::min<std::int8_t>(policy_.max_log2, static_cast<std::int8_t>(log2_ + 1));
  }
  return interval();
}

Duration PollSchedule::after_no_answer() {
  // While bursting (nothing measured yet), retry quickly a few times, then fall back to the
  // normal interval so that an unreachable server is not hammered.
  if (burst_left_ > 0 && ++misses_ <= policy_.burst * 2) return policy_.burst_spacing;
  burst_left_ = 0;
  agreeing_ = 0;
  return interval();
}

Duration PollSchedule::after_kiss_rate(std::int8_t server_poll_log2) {
  burst_left_ = 0;
  agreeing_ = 0;
  const auto doubled = static_cast<std::int8_t>(log2_ + 1);
  log2_ = std::clamp<std::int8_t>(std::max(doubled, server_poll_log2), policy_.min_log2, policy_.max_log2);
  return interval();
}

}  // namespace cw::ntp
