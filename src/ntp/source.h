// ntp/source.h — one NTP association (RFC 5905 §9–§10, §13; ntpd-rs's NtpSource is the model),
// without I/O: one server's reach register, poll schedule, clock filter, Kiss-o'-Death state and
// authenticator (ntp/source_auth.h). The shell calls on_timer(now) when the timer it was given
// fires and on_datagram(bytes, t1, t4, now) when a datagram arrives; each answer says what to do:
// send these bytes, set this timer, run the System (a new sample), do an NTS-KE, or demobilize.
//
// Two ways to run: a burst of N requests (query: "N samples, then stop"; the agent: N per poll)
// or continuously on the adaptive poll schedule (serve's upstreams). One Kiss-o'-Death policy,
// RFC 5905 §7.4 strict, for both: RATE backs the poll off (a burst ends, and no new one starts
// before the back-off has passed), DENY and RSTR demobilize, and NTSN (RFC 8915 §5.7) asks for
// one NTS-KE, then demobilizes if it comes again before a verified reply.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "core/random.h"
#include "core/time.h"
#include "ntp/clock_filter.h"
#include "ntp/exchange.h"
#include "ntp/poll_schedule.h"
#include "ntp/reach.h"
#include "ntp/source_auth.h"

namespace cw::ntp {

struct SourceConfig {
  PollPolicy poll;                                     // the continuous schedule
  Duration timeout = std::chrono::seconds{2};          // how long one request waits for its answer
  Duration local_precision = precision_duration(-20);  // ρ of our clock
  Duration rekey_retry = std::chrono::seconds{8};      // continuous: after a failed NTS-KE
};

// Why the latest request got no answer.
enum class Silence : std::uint8_t {
  none,
  timeout,              // nothing valid before the timeout
  refused,              // ICMP port unreachable
  io_error,             // the send or receive failed otherwise
  key_exchange_failed,  // NTS-KE did not give keys
};

// What the shell does after a call. `send` stays valid until the next call on the source.
struct SourceActions {
  std::span<const std::byte> send;     // send now; take T1 right before, pass it with the reply
  std::optional<MonotonicTime> timer;  // call on_timer then; nullopt: no timer (idle or gone)
  bool updated = false;                // a new sample entered the filter: run the System
  bool key_exchange = false;           // NTS: do NTS-KE, then call rekeyed/key_exchange_failed
  bool demobilize = false;             // the source asks nothing more, ever
};

// What the latest burst (or, continuously, the life so far) saw, for reports.
struct SourceReport {
  std::vector<Sample> samples;         // accepted in this burst, in order
  std::optional<Rejection> rejection;  // the last rejection
  std::optional<Packet> last_header;   // the last header that could be read
  Silence silence = Silence::none;     // why the latest request got no answer
  bool demobilized = false;            // DENY, RSTR or a repeated NTSN
  bool held_off = false;               // a burst was skipped: RATE's back-off had not passed
  int key_exchanges = 0;               // NTS-KEs asked for (initial and re-keys)
  int answered_rejections = 0;         // genuine answers that were no sample (KoD, NTSN, ...)
};

// What the System needs of one source (RFC 5905 A.5.5.1/2): its filter and its root.
struct SourceView {
  FilterOutput filter;
  RootInfo root;
  int stratum = 1;
};
// The view of a filter and the sample that carries its root, as of `now`.
SourceView view_of(const FilterOutput& filter, const Sample& sample);

class Source {
 public:
  Source(SourceAuth auth, SourceConfig config, Random& random);

  // A burst of `requests` exchanges, `spacing` apart, from now; then the source is idle (done).
  // A server that stays silent on its first request is given up (one timeout, not N).
  SourceActions start_burst(int requests, Duration spacing, MonotonicTime now);
  // The continuous poll schedule from now (burst, then 2^min..2^max s).
  SourceActions start(MonotonicTime now);

  SourceActions on_timer(MonotonicTime now);
  SourceActions on_datagram(std::span<const std::byte> datagram, Timestamp t1, Timestamp t4,
                            MonotonicTime now);
  SourceActions on_io_error(Silence why, MonotonicTime now);  // the send or receive failed
  SourceActions rekeyed(nts::ClientSession session, MonotonicTime now);
  SourceActions key_exchange_failed(MonotonicTime now);

  // Forgets the filter (after our clock stepped, older offsets are wrong).
  void forget_history();

  bool done() const { return phase_ == Phase::idle || phase_ == Phase::gone; }
  bool demobilized() const { return phase_ == Phase::gone; }
  std::optional<MonotonicTime> timer() const;
  const ReachRegister& reach() const { return reach_; }
  const SourceAuth& auth() const { return auth_; }
  const SourceReport& report() const { return report_; }
  std::optional<FilterOutput> filter(Timestamp now) const { return filter_.output(now); }
  // The sample the filter's best measurement came from (else the last one); null before any.
  const Sample* best() const;
  const Sample* last() const { return kept_.empty() ? nullptr : &kept_.back(); }
  // What selection sees, as of now; nullopt before a sample or when unreachable (reach = 0).
  std::optional<SourceView> view(Timestamp now) const;
  std::int8_t poll_log2() const { return schedule_.poll_log2(); }

 private:
  enum class Phase : std::uint8_t { idle, due, awaiting_reply, awaiting_key_exchange, gone };
  SourceActions poll(MonotonicTime now);
  SourceActions accepted(Sample sample, MonotonicTime now);
  SourceActions rejected(const Rejection& rejection, MonotonicTime now);
  SourceActions exchange_over(std::optional<Duration> interval, MonotonicTime now);
  SourceActions kiss_rate(const Rejection& rejection, MonotonicTime now);
  SourceActions wait_until(MonotonicTime when);
  SourceActions demobilize();
  SourceActions actions() const;
  bool bursting() const { return burst_left_ >= 0; }

  SourceAuth auth_;
  SourceConfig config_;
  Random* random_;
  ClockFilter filter_;
  PollSchedule schedule_;
  ReachRegister reach_;
  std::deque<Sample> kept_;  // the samples behind the filter's stages, newest last
  std::optional<PendingRequest> request_;
  Phase phase_ = Phase::idle;
  MonotonicTime next_{};                     // when due, or the reply deadline
  std::optional<MonotonicTime> rate_until_;  // RATE: no request before then
  std::optional<Rejection> rate_kiss_;       // the RATE that said so
  int burst_left_ = -1;                      // requests left in the burst; -1: continuous
  Duration spacing_{};
  bool nak_rekeyed_ = false;  // re-keyed after an NTSN and no verified reply since
  SourceReport report_;
};

}  // namespace cw::ntp
