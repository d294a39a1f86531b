// ntp/poll_schedule.h — when the server asks each upstream next (RFC 5905 §7.3 poll, §13 "poll
// process"; chrony's iburst): an initial burst of quick requests, then an adaptive interval between
// 2^min_log2 and 2^max_log2 seconds (by default 2^6 = 64 s and 2^10 = 1024 s; `serve --min-poll/
// --max-poll`, chrony's minpoll/maxpoll) that lengthens while the measurements agree with each
// other and shortens when they do not, and a back-off on a RATE Kiss-o'-Death (RFC 5905 §7.4).
// Pure.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "core/time.h"

namespace cw::ntp {

struct PollPolicy {
  std::int8_t min_log2 = 6;   // 64 s
  std::int8_t max_log2 = 10;  // 1024 s
  int burst = 4;              // requests of the initial burst (chrony's iburst sends 4–8)
  Duration burst_spacing = std::chrono::seconds(2);
  int stable_to_lengthen = 4;  // consecutive agreeing samples before the interval doubles
};

// The poll exponents a user may ask for: 2^0 = 1 s (a lab or a test) to 2^17 s ≈ 36 h (RFC 5905
// §7.3's MAXPOLL).
inline constexpr int kLowestPollLog2 = 0;
inline constexpr int kHighestPollLog2 = 17;

// The default policy with the poll range [min_log2, max_log2] (log2 seconds, like chrony's
// minpoll/maxpoll), or one sentence saying what is wrong with it (out of 0..17, max below min).
Result<PollPolicy, std::string> poll_policy(int min_log2, int max_log2);

class PollSchedule {
 public:
  explicit PollSchedule(PollPolicy policy = {});

  // After a usable sample: `agrees` = its offset is within a few jitters of the filter's best.
  Duration after_sample(bool agrees);
  // After a request that got no usable answer (timeout, unsynchronized, bad reply).
  Duration after_no_answer();
  // After a RATE Kiss-o'-Death: double the interval and never poll faster than the server's poll.
  Duration after_kiss_rate(std::int8_t server_poll_log2);

  std::int8_t poll_log2() const { return log2_; }
  bool in_burst() const { return burst_left_ > 0; }

 private:
  Duration interval() const;
  Duration burst_interval() const;
  PollPolicy policy_;
  std::int8_t log2_;
  int burst_left_;
  int agreeing_ = 0;
  int misses_ = 0;
};

}  // namespace cw::ntp
