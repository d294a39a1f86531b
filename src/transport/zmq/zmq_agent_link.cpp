// transport/zmq/zmq_agent_link.cpp — an agent's DEALER socket driven by its AgentSession.
#include "transport/zmq/zmq_agent_link.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace cw::transport {

namespace {

std::vector<std::string> endpoint_list(const std::string& endpoints) {
  auto out = pipeline::split_collectors({endpoints});
  if (out.empty()) throw std::runtime_error("no collector endpoint given");
  return out;
}

}  // namespace

ZmqAgentLink::ZmqAgentLink(zmq::context_t& context, const std::string& endpoints,
                           const CurveKeyPair& key, const std::string& collector_public_key,
                           pipeline::Outbox& outbox, std::vector<std::byte> identity_bytes,
                           pipeline::BatchEncoder encode_batch, pipeline::SessionOptions session,
                           const LinkTiming& timing, std::string_view agent_id)
    : socket_(make_agent_socket(context, key, collector_public_key, timing)),
      session_(outbox, std::move(identity_bytes), std::move(encode_batch), session),
      endpoints_(endpoint_list(endpoints)),
      failover_(endpoints_.size(), pipeline::home_collector(agent_id, endpoints_.size()),
                timing.failover_after),
      agent_id_(agent_id),
      failover_after_(timing.failover_after),
      handshake_timeout_(timing.handshake_timeout) {
  socket_.connect(endpoint());
}

MonotonicTime ZmqAgentLink::next_deadline(MonotonicTime now) const {
  const auto deadline = session_.next_deadline(now);
  return failover_.waiting() ? std::min(deadline, failover_.deadline()) : deadline;
}

// The current collector left a hello or a batch unanswered too long: connect to the next one and
// say hello there. What was not acknowledged is resent from the outbox; the store drops what the
// old one had already stored.
void ZmqAgentLink::fail_over(MonotonicTime now) {
  const auto from = endpoint();
  try {
    socket_.disconnect(from);
  } catch (const zmq::error_t&) {
  }
  failover_.advance(now);
  socket_.connect(endpoint());
  session_.on_reconnect();
  failing_ = false;
  spdlog::warn("agent {}: collector {} did not answer for {} ms; failing over to {} (failover {})",
               agent_id_, from, failover_after_.count(), endpoint(), failover_.failovers());
}

bool ZmqAgentLink::pump(MonotonicTime now) {
  if (failover_.due(now, session_.awaiting_answer())) fail_over(now);
  auto frames = session_.poll(now);
  const bool any = !frames.empty();
  send_all(std::move(frames), now);
  return any;
}

// libzmq does not retry a connection whose handshake failed (a key not yet authorized, a
// collector with another key): it ends the session. It does retry one that is still connecting
// or handshaking (its reconnect back-off, ZMQ_HANDSHAKE_IVL), and a connect storm (a fleet after
// a collector restart) makes those slow: tearing one down only queues its SYN and its CURVE work
// again. So while nothing can be sent, connect anew only after the handshake timeout has passed
// (libzmq would have retried by itself by then), and then at doubling intervals up to
// max(30 s, that timeout), so an agent is admitted once its key is.
void ZmqAgentLink::reconnect_if_refused(MonotonicTime now) {
  if (!failing_) {
    failing_ = true;
    failing_since_ = last_reconnect_ = now;
    reconnect_backoff_ = handshake_timeout_;
    return;
  }
  if (now - last_reconnect_ < reconnect_backoff_) return;
  last_reconnect_ = now;
  reconnect_backoff_ =
      std::min(reconnect_backoff_ * 2, std::max(max_backoff(), handshake_timeout_));
  ++reconnects_;
  try {
    socket_.disconnect(endpoint());
  } catch (const zmq::error_t&) {  // the session is already gone
  }
  socket_.connect(endpoint());
}

void ZmqAgentLink::on_readable(MonotonicTime now) {
  zmq::message_t frame;
  while (socket_.recv(frame, zmq::recv_flags::dontwait)) {
    if (frame.more()) {
      zmq::message_t rest;
      do {
        (void)socket_.recv(rest);
      } while (rest.more());
      continue;  // the collector never sends multipart messages
    }
    failing_ = false;
    failover_.heard(now);
    send_all(session_.on_frame({static_cast<const std::byte*>(frame.data()), frame.size()}, now),
             now);
  }
}

void ZmqAgentLink::send_all(std::vector<std::vector<std::byte>> frames, MonotonicTime now) {
  for (auto& frame : frames) {
    bool sent = false;
    try {
      sent = socket_.send(zmq::buffer(frame), zmq::send_flags::dontwait).has_value();
    } catch (const zmq::error_t&) {
    }
    if (!sent) {  // not connected (ZMQ_IMMEDIATE) or queue full: resend after the back-off
      ++send_failures_;
      session_.on_send_failed();
      reconnect_if_refused(now);
      return;
    }
  }
}

}  // namespace cw::transport
