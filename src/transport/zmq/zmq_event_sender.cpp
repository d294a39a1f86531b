// transport/zmq/zmq_event_sender.cpp — the agent's sender thread (see zmq_event_sender.h).
#include "transport/zmq/zmq_event_sender.h"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "events/binary_codec.h"
#include "platform/sysinfo.h"
#include "transport/spool/spool_outbox.h"
#include "transport/zmq/event_codec_binding.h"
#include "transport/zmq/zmq_agent_link.h"

namespace cw::transport {
namespace {

using namespace std::chrono_literals;

}  // namespace

// Everything the sender thread owns: spool, rate limiter, socket.
class ZmqEventSender::Worker {
 public:
  Worker(const SenderOptions& options, Clock& clock)
      : options_(options),
        clock_(clock),
        spool_(options.spool),
        outbox_(spool_),
        limiter_(options.rate),
        link_(context_, options.collector, read_secret_key_file(options.key_file),
              read_key_file(options.collector_key_file), outbox_, encode_identity(options.identity),
              encode_records_as_batch, with_renumbering(options.session), options.timing,
              options.identity.agent_id),
        started_(clock.monotonic_now()),
        last_sample_(platform::sample_process()) {
    const auto stats = spool_.stats();
    if (stats.pending_records > 0)
      spdlog::info("sender: {} events from before the restart are in the spool; resending",
                   stats.pending_records);
  }

  // The collector's first welcome says it already stores sequences beyond this spool's: the
  // spool was wiped (or another node used this agent id). Events numbered below what the
  // collector holds would be dropped as duplicates: renumber what is pending and continue there.
  pipeline::SessionOptions with_renumbering(pipeline::SessionOptions session) {
    session.on_first_welcome = [this](std::uint64_t next) { renumber_from(next); };
    return session;
  }

  void renumber_from(std::uint64_t next) {
    if (next <= spool_.next_id()) return;
    spdlog::warn(
        "sender: the collector already holds sequences below {} for agent {}, but this "
        "spool is at {}: it was reset, or another node uses this id. Continuing from {}",
        next, options_.identity.agent_id, spool_.next_id(), next);
    const auto pending = spool_.peek(0, std::numeric_limits<std::size_t>::max());
    spool_.skip_to(next);
    std::vector<events::Event> events;
    for (const auto& record : pending)
      (void)events::decode_batch_into(record.payload, options_.identity.agent_id, events);
    for (auto& event : events) spool(std::move(event));  // new sequences from `next`
    spool_.acknowledge(next - 1);  // the old numbers: after their copies are written
    spool_.flush();
    appended_ = false;
  }

  void spool(events::Event event) {
    event.agent_id = options_.identity.agent_id;
    event.sequence = spool_.next_id();
    try {
      spool_.append(encode_outbox_record(event));
      appended_ = true;
    } catch (const std::exception& error) {
      ++spool_failures_;
      if (spool_failures_ == 1) spdlog::error("sender: cannot spool an event: {}", error.what());
    }
  }

  void lifecycle(events::EventType type) {
    events::Event event;
    event.timestamp = clock_.now();
    event.type = type;
    event.attributes.push_back({"version", options_.identity.version});
    spool(std::move(event));
  }

  void heartbeat(std::uint64_t inbox_dropped) {
    const auto sample = platform::sample_process();
    const auto session = link_.stats().session;
    const auto spool_stats = spool_.stats();
    events::HeartbeatData data;
    data.uptime = clock_.monotonic_now() - started_;
    data.events_sent = session.events_sent;
    data.events_dropped =
        limiter_.stats().suppressed + inbox_dropped + spool_stats.dropped_when_full;
    data.events_spooled = spool_stats.pending_records;
    data.cpu_percent = platform::cpu_percent(last_sample_, sample);
    data.rss_bytes = sample.rss_bytes;
    data.load1 = sample.load1;
    data.connected = session.connected;
    last_sample_ = sample;
    events::Event event;
    event.timestamp = clock_.now();
    event.type = events::EventType::heartbeat;
    event.data = data;
    event.attributes.push_back({"version", options_.identity.version});
    // Rounded up: the collector declares an agent down after 2 announced intervals, so an
    // interval of 1.5 s announced as 1 s would flap (and 0.2 s as 0 would be ignored).
    event.attributes.push_back(
        {"heartbeat_interval_s",
         static_cast<std::int64_t>(
             std::chrono::ceil<std::chrono::seconds>(options_.heartbeat_interval).count())});
    spool(std::move(event));
    ++heartbeats_;
  }

  // One turn: admit what the rate limiter allows, heartbeat when due, send, then wait for the
  // collector's answer, a submit() (`wake`, an eventfd) or the turn's timeout, whichever first.
  void turn(std::deque<events::Event>& incoming, std::uint64_t inbox_dropped, bool final, int wake,
            Duration wait) {
    const auto now = clock_.monotonic_now();
    for (auto& event : incoming) limiter_.offer(std::move(event), now);
    incoming.clear();
    for (auto& event : limiter_.take(now, clock_.now())) spool(std::move(event));
    if (final)  // stopping: what waits for tokens is spooled too, nothing submitted is lost
      for (auto& event : limiter_.drain()) spool(std::move(event));
    if (now >= next_heartbeat_) {
      heartbeat(inbox_dropped);
      next_heartbeat_ = now + options_.heartbeat_interval;
    }
    if (final) lifecycle(events::EventType::agent_stop);
    if (appended_) spool_.flush(), appended_ = false;
    link_.pump(now);
    // Not past the session's next deadline: a hello that could not be queued yet (the connection
    // still handshaking) is retried then, not after a whole turn.
    wait = std::clamp<Duration>(link_.next_deadline(now) - now, Duration{0}, wait);
    std::array<zmq::pollitem_t, 2> items{
        {{link_.socket().handle(), 0, ZMQ_POLLIN, 0}, {nullptr, wake, ZMQ_POLLIN, 0}}};
    zmq::poll(items.data(), wake >= 0 ? 2 : 1,
              std::chrono::duration_cast<std::chrono::milliseconds>(wait));
    if (items[0].revents & ZMQ_POLLIN) link_.on_readable(clock_.monotonic_now());
    if (items[1].revents & ZMQ_POLLIN) {
      std::uint64_t count = 0;
      [[maybe_unused]] auto got = ::read(wake, &count, sizeof count);
    }
  }

  bool drained() const { return outbox_.first_pending() == outbox_.next_id(); }

  void fill(SenderStats& stats) const {
    const auto link = link_.stats();
    stats.rate = limiter_.stats();
    stats.session = link.session;
    stats.spool = spool_.stats();
    stats.heartbeats = heartbeats_;
    stats.reconnects = link.reconnects;
  }

 private:
  SenderOptions options_;
  Clock& clock_;
  zmq::context_t context_{1};
  Spool spool_;
  SpoolOutbox outbox_;
  events::RateLimiter limiter_;
  ZmqAgentLink link_;
  MonotonicTime started_, next_heartbeat_{};
  platform::ProcessSample last_sample_;
  bool appended_ = false;
  std::uint64_t heartbeats_ = 0, spool_failures_ = 0;
};

ZmqEventSender::ZmqEventSender(SenderOptions options, Clock& clock)
    : options_(std::move(options)),
      wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      worker_(std::make_unique<Worker>(options_, clock)) {
  if (!wake_) throw std::runtime_error("sender: eventfd failed");
  worker_->lifecycle(events::EventType::agent_start);
  thread_ = std::thread([this] {
    std::deque<events::Event> incoming;
    while (!stop_) {
      std::uint64_t dropped = 0;
      {
        std::lock_guard lock(mutex_);
        incoming.swap(inbox_);
        dropped = inbox_dropped_;
      }
      worker_->turn(incoming, dropped, false, wake_.get(), options_.turn_wait);
      std::lock_guard lock(mutex_);
      worker_->fill(published_);
      published_.submitted = submitted_;
      published_.inbox_dropped = inbox_dropped_;
    }
    {  // stopping: nothing submitted is lost — it all goes to the spool, past the rate limit
      std::lock_guard lock(mutex_);
      incoming.swap(inbox_);
    }
    for (auto& event : incoming) worker_->spool(std::move(event));
    incoming.clear();
    // Stopping: short turns, so that the linger below bounds the wait for acknowledgements.
    const Duration short_turn = std::min<Duration>(options_.turn_wait, 20ms);
    worker_->turn(incoming, 0, true, -1, short_turn);
    const auto linger = std::chrono::steady_clock::now() + 2s;
    while (!worker_->drained() && std::chrono::steady_clock::now() < linger) {
      std::deque<events::Event> none;
      worker_->turn(none, 0, false, -1, short_turn);
    }
  });
}

ZmqEventSender::~ZmqEventSender() {
  stop_ = true;
  const std::uint64_t one = 1;  // the sender may be waiting a whole turn_wait
  [[maybe_unused]] auto written = ::write(wake_.get(), &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

// The first event into an empty inbox wakes the sender thread (its turn waits up to turn_wait
// otherwise); later ones find it awake or about to take the inbox.
void ZmqEventSender::submit(events::Event event) {
  {
    std::lock_guard lock(mutex_);
    ++submitted_;
    if (inbox_.size() >= options_.inbox_limit) {
      ++inbox_dropped_;  // reported as dropped in the next heartbeat
      return;
    }
    inbox_.push_back(std::move(event));
    if (inbox_.size() > 1) return;
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(wake_.get(), &one, sizeof one);
}

SenderStats ZmqEventSender::stats() const {
  std::lock_guard lock(mutex_);
  return published_;
}

}  // namespace cw::transport
