// transport/zmq/zmq_agent_link.cpp — an agent's DEALER socket driven by its AgentSession.
#include "transport/zmq/zmq_agent_link.h"

namespace cw::transport {

ZmqAgentLink::ZmqAgentLink(zmq::context_t& context, const std::string& endpoint,
                           const CurveKeyPair& key, const std::string& collector_public_key,
                           pipeline::Outbox& outbox, std::vector<std::byte> identity_bytes,
                           pipeline::BatchEncoder encode_batch, pipeline::SessionOptions session,
                           const LinkTiming& timing)
    : socket_(make_agent_socket(context, key, collector_public_key, timing)),
      session_(outbox, std::move(identity_bytes), std::move(encode_batch), session),
      endpoint_(endpoint) {
  socket_.connect(endpoint);
}

bool ZmqAgentLink::pump(MonotonicTime now) {
  auto frames = session_.poll(now);
  const bool any = !frames.empty();
  send_all(std::move(frames), now);
  return any;
}

// libzmq does not retry a connection whose handshake failed (a key not yet authorized, a
// collector with another key): it ends the session. While nothing can be sent, connect anew with
// back-off (1 s doubling to 30 s), so an agent is admitted once its key is.
void ZmqAgentLink::reconnect_if_refused(MonotonicTime now) {
  if (!failing_) {
    failing_ = true;
    failing_since_ = last_reconnect_ = now;
    return;
  }
  if (now - last_reconnect_ < reconnect_backoff_) return;
  last_reconnect_ = now;
  reconnect_backoff_ = std::min(reconnect_backoff_ * 2, Duration{std::chrono::seconds(30)});
  ++reconnects_;
  try {
    socket_.disconnect(endpoint_);
  } catch (const zmq::error_t&) {  // the session is already gone
  }
  socket_.connect(endpoint_);
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
    reconnect_backoff_ = std::chrono::seconds(1);
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
