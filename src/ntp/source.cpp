// ntp/source.cpp — one association's state machine (see ntp/source.h).
#include "ntp/source.h"

#include <algorithm>
#include <cstdlib>

namespace cw::ntp {
namespace {

// Whether a new offset agrees with the filter's best so far (within four jitters, at least 1 ms):
// the poll schedule lengthens only while they do.
bool agrees_with(const std::optional<FilterOutput>& before, Duration offset) {
  if (!before) return true;
  const Duration tolerance = std::max<Duration>(4 * before->jitter, std::chrono::milliseconds(1));
  return std::abs((offset - before->best.offset).count()) <= tolerance.count();
}

}  // namespace

SourceView view_of(const FilterOutput& filter, const Sample& sample) {
  return SourceView{filter, sample.root, sample.server.stratum.value};
}

Source::Source(SourceAuth auth, SourceConfig config, Random& random)
    : auth_(std::move(auth)),
      config_(config),
      random_(&random),
      filter_(config.local_precision),
      schedule_(config.poll) {}

SourceActions Source::start_burst(int requests, Duration spacing, MonotonicTime now) {
  if (phase_ == Phase::gone) return actions();
  const int key_exchanges = report_.key_exchanges;
  report_ = SourceReport{};
  report_.key_exchanges = key_exchanges;
  request_.reset();
  burst_left_ = std::max(requests, 0);
  spacing_ = spacing;
  phase_ = Phase::idle;
  if (burst_left_ == 0) return actions();
  return poll(now);  // held off while RATE's back-off lasts (RFC 5905 §7.4)
}

SourceActions Source::start(MonotonicTime now) {
  if (phase_ == Phase::gone) return actions();
  burst_left_ = -1;
  return poll(now);
}

SourceActions Source::on_timer(MonotonicTime now) {
  if (phase_ == Phase::awaiting_reply && now >= next_) {
    report_.silence = Silence::timeout;
    return exchange_over(bursting() ? std::nullopt : std::optional(schedule_.after_no_answer()),
                         now);
  }
  if (phase_ == Phase::due && now >= next_) return poll(now);
  return actions();
}

SourceActions Source::on_datagram(std::span<const std::byte> datagram, Timestamp t1, Timestamp t4,
                                  MonotonicTime now) {
  if (phase_ != Phase::awaiting_reply || !request_) return actions();  // a stray
  auto sample = accept_reply(datagram, *request_, t1, t4, config_.local_precision);
  if (sample) return accepted(std::move(*sample), now);
  return rejected(sample.error(), now);
}

SourceActions Source::on_io_error(Silence why, MonotonicTime now) {
  if (phase_ != Phase::awaiting_reply) return actions();
  report_.silence = why;
  return exchange_over(bursting() ? std::nullopt : std::optional(schedule_.after_no_answer()), now);
}

SourceActions Source::rekeyed(nts::ClientSession session, MonotonicTime now) {
  if (phase_ != Phase::awaiting_key_exchange) return actions();
  auth_.rekeyed(std::move(session));
  phase_ = Phase::due;
  return poll(now);
}

SourceActions Source::key_exchange_failed(MonotonicTime now) {
  if (phase_ != Phase::awaiting_key_exchange) return actions();
  report_.silence = Silence::key_exchange_failed;
  return wait_until(now + config_.rekey_retry);
}

void Source::forget_history() {
  filter_.reset();
  kept_.clear();
}

std::optional<MonotonicTime> Source::timer() const {
  if (phase_ == Phase::due || phase_ == Phase::awaiting_reply) return next_;
  return std::nullopt;
}

const Sample* Source::best() const {
  if (kept_.empty()) return nullptr;
  const auto out = filter_.output(kept_.back().measurement.time);
  if (out) {
    for (const auto& s : kept_)
      if (s.measurement == out->best) return &s;
  }
  return &kept_.back();
}

std::optional<SourceView> Source::view(Timestamp now) const {
  if (!reach_.reachable()) return std::nullopt;  // RFC 5905 A.5.5.1 fit(): reach == 0
  const auto out = filter_.output(now);
  const Sample* sample = best();
  if (!out || sample == nullptr) return std::nullopt;
  return view_of(*out, *sample);
}

// A request goes out, unless RATE's back-off has not passed or NTS needs a key exchange first.
SourceActions Source::poll(MonotonicTime now) {
  if (rate_until_ && now < *rate_until_) {
    if (bursting()) {
      report_.held_off = true;
      report_.rejection = rate_kiss_;  // the reason the server is not asked now
    }
    return wait_until(*rate_until_);
  }
  if (auth_.needs_key_exchange()) {
    phase_ = Phase::awaiting_key_exchange;
    ++report_.key_exchanges;
    auto a = actions();
    a.key_exchange = true;
    return a;
  }
  auto auth = auth_.next_request();
  auto request = auth ? make_request(*random_, std::move(*auth)) : std::nullopt;
  if (!request) {  // an NTS cookie too long for a datagram
    report_.silence = Silence::io_error;
    phase_ = Phase::awaiting_reply;
    return exchange_over(bursting() ? std::nullopt : std::optional(schedule_.after_no_answer()),
                         now);
  }
  request_ = std::move(*request);
  reach_.polled();
  report_.silence = Silence::none;
  phase_ = Phase::awaiting_reply;
  next_ = now + config_.timeout;
  auto a = actions();
  a.send = request_->datagram();
  return a;
}

SourceActions Source::accepted(Sample sample, MonotonicTime now) {
  auth_.on_verified(std::move(sample.cookies));
  sample.cookies.clear();
  nak_rekeyed_ = false;
  reach_.answered();
  const bool agrees = agrees_with(filter_.output(sample.measurement.time), sample.offset());
  filter_.add(sample.measurement);
  report_.last_header = sample.server;
  kept_.push_back(sample);
  while (kept_.size() > kFilterStages) kept_.pop_front();
  if (bursting()) report_.samples.push_back(std::move(sample));
  auto a =
      exchange_over(bursting() ? std::nullopt : std::optional(schedule_.after_sample(agrees)), now);
  a.updated = true;
  return a;
}

// RFC 5905 §7.4 and RFC 8915 §5.7: what a genuine answer that is not a sample asks of us.
SourceActions Source::rejected(const Rejection& rejection, MonotonicTime now) {
  if (rejection.server) report_.last_header = rejection.server;
  report_.rejection = rejection;
  if (!rejection.answers_request()) return actions();  // a stray or a forgery: keep waiting
  ++report_.answered_rejections;
  if (rejection.reason == RejectReason::nts_nak && auth_.mode() == AuthMode::nts) {
    auth_.on_nak();
    if (nak_rekeyed_) return demobilize();  // NTSN again right after a new NTS-KE
    nak_rekeyed_ = true;
    request_.reset();
    return poll(now);  // the jar is empty: asks for NTS-KE
  }
  if (rejection.reason == RejectReason::kiss_of_death && rejection.kiss_code) {
    switch (kiss_action(*rejection.kiss_code)) {
      case KissAction::back_off:
        return kiss_rate(rejection, now);
      case KissAction::stop:
        return demobilize();
      case KissAction::none:
        break;
    }
  }
  return exchange_over(bursting() ? std::nullopt : std::optional(schedule_.after_no_answer()), now);
}

// RATE: double the interval, never below the server's poll; a burst ends here.
SourceActions Source::kiss_rate(const Rejection& rejection, MonotonicTime now) {
  const auto server_poll = rejection.server ? rejection.server->poll.log2_seconds : std::int8_t{0};
  rate_until_ = now + schedule_.after_kiss_rate(server_poll);
  rate_kiss_ = rejection;
  request_.reset();
  return wait_until(*rate_until_);
}

// Continuously: the next poll at `when`. A burst cannot wait that long: it ends here.
SourceActions Source::wait_until(MonotonicTime when) {
  if (bursting()) {
    burst_left_ = 0;
    phase_ = Phase::idle;
    return actions();
  }
  phase_ = Phase::due;
  next_ = when;
  return actions();
}

SourceActions Source::demobilize() {
  phase_ = Phase::gone;
  request_.reset();
  report_.demobilized = true;
  auto a = actions();
  a.demobilize = true;
  return a;
}

// One exchange is over (a sample, or no usable answer). Continuously: the next poll after
// `interval`. In a burst: the next request after the spacing, or idle once the burst is done or
// the server has shown it will not answer.
SourceActions Source::exchange_over(std::optional<Duration> interval, MonotonicTime now) {
  request_.reset();
  if (!bursting()) {
    phase_ = Phase::due;
    next_ = now + interval.value_or(config_.timeout);
    return actions();
  }
  if (burst_left_ > 0) --burst_left_;
  const auto silence = report_.silence;
  const bool gives_up = silence == Silence::refused || silence == Silence::io_error ||
                        silence == Silence::key_exchange_failed ||
                        (silence == Silence::timeout && report_.samples.empty());
  if (burst_left_ == 0 || gives_up) {
    phase_ = Phase::idle;
    return actions();
  }
  phase_ = Phase::due;
  next_ = now + spacing_;
  return actions();
}

SourceActions Source::actions() const {
  SourceActions a;
  a.timer = timer();
  return a;
}

}  // namespace cw::ntp
