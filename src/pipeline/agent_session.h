// pipeline/agent_session.h — the agent's half of the acknowledged-batch protocol, without I/O:
// hello → welcome, then up to `window` batches in flight read from the Outbox, acknowledged by the
// collector (everything below `next` stored), resent after a reconnect, a rewind or a silence.
// The caller owns the ZeroMQ socket and the clock: it passes `now` and frames in, sends frames out.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "core/time.h"
#include "pipeline/envelope.h"
#include "pipeline/outbox.h"

namespace cw::pipeline {

struct SessionOptions {
  std::size_t batch_max_events = 500;
  std::size_t window = 4;  // batches sent but not yet acknowledged
  // A partial batch (fewer than batch_max_events) is sent only while fewer than this many are in
  // flight (Nagle): 1 makes an event that arrives during a round trip wait for its end; 2 sends it
  // at once behind the one in flight (batches still grow with the load, but there are more of
  // them). At 10 % load on a loaded machine 2 was not measurably better (bench/pipeline/README.md).
  std::size_t partial_window = 1;
  Duration ack_timeout = std::chrono::seconds(10);  // no progress → say hello again, resend
  Duration hello_retry_min = std::chrono::milliseconds(250);
  Duration hello_retry_max = std::chrono::seconds(8);  // exponential back-off between
  // Called with the collector's `next` on the first welcome, before anything is acknowledged:
  // lets an agent without durable numbering (a simulated one) continue the collector's.
  std::function<void(std::uint64_t)> on_first_welcome;
  // Called for each batch acknowledged, with the time from its sending to its acknowledgement
  // (the round trip an event that arrives meanwhile waits for; bench/pipeline measures it).
  std::function<void(Duration)> on_round_trip;
};

struct SessionStats {
  std::uint64_t hellos_sent = 0, welcomes = 0, batches_sent = 0, events_sent = 0;
  std::uint64_t acks = 0, rewinds = 0, resends = 0, bad_messages = 0;
  std::uint64_t unreadable_dropped = 0;  // records the encoder found no event in (declared lost)
  std::uint64_t acknowledged_next = 0;   // collector has stored every sequence below this
  bool connected = false;                // welcomed and acks arriving
};

// Encodes records as one batch body; returns an empty vector when they hold no event at all
// (unreadable spool records): the session then drops them and declares them lost.
using BatchEncoder = std::function<std::vector<std::byte>(std::span<const OutboxRecord>)>;

class AgentSession {
 public:
  AgentSession(Outbox& outbox, std::vector<std::byte> identity_bytes, BatchEncoder encode_batch,
               SessionOptions options = {});

  // Frames to send now (hello, batches); call after appending to the outbox and on timers.
  std::vector<std::vector<std::byte>> poll(MonotonicTime now);
  // A frame from the collector; returns frames to send in response.
  std::vector<std::vector<std::byte>> on_frame(std::span<const std::byte> frame, MonotonicTime now);
  // When poll() next needs calling even if nothing happens.
  MonotonicTime next_deadline(MonotonicTime now) const;
  // The transport noticed a new connection (socket monitor): start over with a hello.
  void on_reconnect() { state_ = State::idle; }
  // A frame could not be queued (no connection yet): say hello again after the shortest back-off.
  // It reached no collector, so there is no load to back off from, and a doubled wait (up to 8 s)
  // would hold the hello back long after the connection is up (a fleet after a collector restart).
  void on_send_failed() {
    state_ = State::awaiting_welcome;
    hello_backoff_ = options_.hello_retry_min;
    in_flight_ends_.clear();
    stats_.connected = false;
  }

  // Something sent is still unanswered: a hello not yet welcomed, or batches not acknowledged.
  bool awaiting_answer() const {
    return state_ == State::awaiting_welcome ||
           (state_ == State::streaming && !in_flight_ends_.empty());
  }

  const SessionStats& stats() const { return stats_; }

 private:
  enum class State { idle, awaiting_welcome, streaming };
  std::vector<std::byte> make_hello(MonotonicTime now);
  void fill_window(MonotonicTime now, std::vector<std::vector<std::byte>>& out);
  bool partial_waits() const {
    return in_flight_ends_.size() >=
           std::clamp<std::size_t>(options_.partial_window, 1,
                                   std::max<std::size_t>(1, options_.window));
  }
  void acknowledged(std::uint64_t next, MonotonicTime now);

  Outbox& outbox_;
  std::vector<std::byte> identity_;
  BatchEncoder encode_batch_;
  SessionOptions options_;
  SessionStats stats_;
  State state_ = State::idle;
  MonotonicTime hello_sent_at_{}, last_progress_{};
  Duration hello_backoff_{};
  std::uint64_t cursor_ = 0;  // next sequence to send
  struct InFlight {
    std::uint64_t end;   // `next` after the batch
    MonotonicTime sent;  // when it was sent
  };
  std::vector<InFlight> in_flight_ends_;  // the unacknowledged batches, in order
  std::optional<std::uint64_t> last_rewind_;
  bool welcomed_once_ = false;
};

}  // namespace cw::pipeline
