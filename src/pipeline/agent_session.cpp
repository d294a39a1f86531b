// pipeline/agent_session.cpp — the agent's acknowledged-batch protocol state machine.
#include "pipeline/agent_session.h"

#include <algorithm>

namespace cw::pipeline {

AgentSession::AgentSession(Outbox& outbox, std::vector<std::byte> identity_bytes,
                           BatchEncoder encode_batch, SessionOptions options)
    : outbox_(outbox),
      identity_(std::move(identity_bytes)),
      encode_batch_(std::move(encode_batch)),
      options_(options),
      hello_backoff_(options.hello_retry_min) {
  stats_.acknowledged_next = outbox_.first_pending();
  cursor_ = stats_.acknowledged_next;
}

std::vector<std::byte> AgentSession::make_hello(MonotonicTime now) {
  state_ = State::awaiting_welcome;
  hello_sent_at_ = now;
  in_flight_ends_.clear();
  ++stats_.hellos_sent;
  return encode_message(MessageKind::hello, outbox_.first_pending(), identity_);
}

std::vector<std::vector<std::byte>> AgentSession::poll(MonotonicTime now) {
  std::vector<std::vector<std::byte>> out;
  switch (state_) {
    case State::idle:
      hello_backoff_ = options_.hello_retry_min;
      out.push_back(make_hello(now));
      break;
    case State::awaiting_welcome:
      if (now - hello_sent_at_ >= hello_backoff_) {
        hello_backoff_ = std::min(hello_backoff_ * 2, options_.hello_retry_max);
        out.push_back(make_hello(now));
      }
      break;
    case State::streaming:
      if (!in_flight_ends_.empty() && now - last_progress_ > options_.ack_timeout) {
        stats_.connected = false;
        ++stats_.resends;
        hello_backoff_ = options_.hello_retry_min;
        out.push_back(make_hello(now));
      } else {
        fill_window(now, out);
      }
      break;
  }
  return out;
}

void AgentSession::fill_window(MonotonicTime now, std::vector<std::vector<std::byte>>& out) {
  while (in_flight_ends_.size() < options_.window) {
    // Pending ids are contiguous (outbox.h): the count is known before reading anything.
    const auto waiting = outbox_.next_id() - std::min(cursor_, outbox_.next_id());
    if (waiting == 0) break;
    if (waiting < options_.batch_max_events && partial_waits()) break;  // Nagle, below
    const auto records = outbox_.read_from(cursor_, options_.batch_max_events);
    if (records.empty()) break;
    // Nagle: a partial batch goes only while fewer than partial_window are in flight, so batches
    // grow with the load while a quiet agent's events leave at once.
    if (records.size() < options_.batch_max_events && partial_waits()) break;
    auto body = encode_batch_(records);
    if (body.empty()) {  // no event in these records: never send (or resend) an empty batch
      if (!in_flight_ends_.empty() || records.front().id != outbox_.first_pending()) break;
      // Nothing unacknowledged precedes them: drop them and say hello from after them, which
      // declares them lost to the collector (counted there) instead of stalling on them forever.
      stats_.unreadable_dropped += records.size();
      outbox_.acknowledge_below(records.back().id + 1);
      out.push_back(make_hello(now));
      return;
    }
    if (in_flight_ends_.empty()) last_progress_ = now;
    out.push_back(encode_message(MessageKind::batch, cursor_, std::move(body)));
    cursor_ = records.back().id + 1;
    in_flight_ends_.push_back({cursor_, now});
    ++stats_.batches_sent;
    stats_.events_sent += records.size();
  }
}

void AgentSession::acknowledged(std::uint64_t next, MonotonicTime now) {
  last_progress_ = now;
  next = std::min(next, outbox_.next_id());  // never acknowledge what does not exist yet
  if (next <= stats_.acknowledged_next) return;
  outbox_.acknowledge_below(next);
  stats_.acknowledged_next = next;
  if (last_rewind_ && next > *last_rewind_) last_rewind_.reset();
  std::erase_if(in_flight_ends_, [&](const InFlight& batch) {
    if (batch.end > next) return false;
    if (options_.on_round_trip) options_.on_round_trip(now - batch.sent);
    return true;
  });
}

std::vector<std::vector<std::byte>> AgentSession::on_frame(std::span<const std::byte> frame,
                                                           MonotonicTime now) {
  std::vector<std::vector<std::byte>> out;
  const auto message = decode_message(frame);
  if (!message) {
    ++stats_.bad_messages;
    return out;
  }
  switch (message->kind) {
    case MessageKind::welcome:
      ++stats_.welcomes;
      if (!welcomed_once_ && options_.on_first_welcome) {
        options_.on_first_welcome(message->next);
        stats_.acknowledged_next = std::max(stats_.acknowledged_next, outbox_.first_pending());
      }
      welcomed_once_ = true;
      acknowledged(message->next, now);
      state_ = State::streaming;
      stats_.connected = true;
      in_flight_ends_.clear();
      cursor_ = message->next;
      last_rewind_.reset();
      fill_window(now, out);
      break;
    case MessageKind::ack:
      ++stats_.acks;
      acknowledged(message->next, now);
      if (state_ == State::streaming) fill_window(now, out);
      break;
    case MessageKind::rewind:
      if (state_ != State::streaming || message->next < stats_.acknowledged_next ||
          last_rewind_ == message->next)
        break;  // stale: an earlier rewind or acknowledgement already covers it
      ++stats_.rewinds;
      last_rewind_ = message->next;
      cursor_ = message->next;
      in_flight_ends_.clear();
      fill_window(now, out);
      break;
    case MessageKind::hello_required:
      if (state_ == State::streaming || now - hello_sent_at_ >= options_.hello_retry_min) {
        stats_.connected = false;
        out.push_back(make_hello(now));
      }
      break;
    case MessageKind::hello:
    case MessageKind::batch:
      ++stats_.bad_messages;  // only agents send these
      break;
  }
  return out;
}

MonotonicTime AgentSession::next_deadline(MonotonicTime now) const {
  switch (state_) {
    case State::idle:
      return now;
    case State::awaiting_welcome:
      return hello_sent_at_ + hello_backoff_;
    case State::streaming:
      if (!in_flight_ends_.empty()) return last_progress_ + options_.ack_timeout;
      return now + std::chrono::seconds(1);
  }
  return now;
}

}  // namespace cw::pipeline
