// ntp/poll_schedule.cpp — burst, adaptive interval and KoD back-off (ntp/poll_schedule.h).
#include "ntp/poll_schedule.h"

#include <algorithm>
#include <utility>

namespace cw::ntp {

Result<PollPolicy, std::string> poll_policy(int min_log2, int max_log2) {
  const auto range = std::to_string(kLowestPollLog2) + ".." + std::to_string(kHighestPollLog2);
  for (const auto& [name, value] :
       {std::pair{"--min-poll", min_log2}, std::pair{"--max-poll", max_log2}})
    if (value < kLowestPollLog2 || value > kHighestPollLog2)
      return fail(std::string(name) + " " + std::to_string(value) + " is outside " + range +
                  " (log2 seconds: 0 = every second, 6 = 64 s, 10 = 1024 s)");
  if (max_log2 < min_log2)
    return fail("--max-poll " + std::to_string(max_log2) + " is below --min-poll " +
                std::to_string(min_log2) + ": the longest interval (2^" + std::to_string(max_log2) +
                " s) cannot be shorter than the shortest (2^" + std::to_string(min_log2) +
                " s); raise --max-poll or lower --min-poll");
  PollPolicy policy;
  policy.min_log2 = static_cast<std::int8_t>(min_log2);
  policy.max_log2 = static_cast<std::int8_t>(max_log2);
  return policy;
}

PollSchedule::PollSchedule(PollPolicy policy)
    : policy_(policy), log2_(policy.min_log2), burst_left_(std::max(policy.burst - 1, 0)) {}

Duration PollSchedule::interval() const { return std::chrono::seconds(std::int64_t{1} << log2_); }

// Like chrony's iburst: the burst's requests are 2 s apart, or closer if the minimum poll is.
Duration PollSchedule::burst_interval() const {
  return std::min<Duration>(policy_.burst_spacing,
                            std::chrono::seconds(std::int64_t{1} << policy_.min_log2));
}

Duration PollSchedule::after_sample(bool agrees) {
  misses_ = 0;
  if (burst_left_ > 0) {
    --burst_left_;
    return burst_interval();
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
  if (burst_left_ > 0 && ++misses_ <= policy_.burst * 2) return burst_interval();
  burst_left_ = 0;
  agreeing_ = 0;
  return interval();
}

Duration PollSchedule::after_kiss_rate(std::int8_t server_poll_log2) {
  burst_left_ = 0;
  agreeing_ = 0;
  const auto doubled = static_cast<std::int8_t>(log2_ + 1);
  log2_ = std::clamp<std::int8_t>(std::max(doubled, server_poll_log2), policy_.min_log2,
                                  policy_.max_log2);
  return interval();
}

}  // namespace cw::ntp
