// transport/zmq/zmq_agent_link.h — one agent's connection to the collector: a CURVE DEALER socket
// driven by an AgentSession. No thread of its own: its owner polls `socket()` (with others, as
// `chronowatch simulate` does for a thousand agents) and calls pump()/on_readable().
#pragma once

#include <string>
#include <zmq.hpp>

#include "pipeline/agent_session.h"
#include "transport/zmq/zmq_sockets.h"

namespace cw::transport {

struct LinkStats {
  pipeline::SessionStats session;
  std::uint64_t send_failures = 0;
  std::uint64_t reconnects = 0;  // sockets re-connected after a refused or failed handshake
};

class ZmqAgentLink {
 public:
  ZmqAgentLink(zmq::context_t& context, const std::string& endpoint, const CurveKeyPair& key,
               const std::string& collector_public_key, pipeline::Outbox& outbox,
               std::vector<std::byte> identity_bytes, pipeline::BatchEncoder encode_batch,
               pipeline::SessionOptions session = {}, const LinkTiming& timing = {});

  zmq::socket_t& socket() { return socket_; }
  // Sends what the session wants to send now; true if it sent anything. Sending may consume the
  // socket's ZMQ_FD signal of a frame that arrived meanwhile: an owner that waits on ZMQ_FD calls
  // on_readable() after a pump that sent.
  bool pump(MonotonicTime now);
  void on_readable(MonotonicTime now);  // read every waiting frame from the collector
  MonotonicTime next_deadline(MonotonicTime now) const { return session_.next_deadline(now); }
  LinkStats stats() const { return {session_.stats(), send_failures_, reconnects_}; }

 private:
  void send_all(std::vector<std::vector<std::byte>> frames, MonotonicTime now);
  void reconnect_if_refused(MonotonicTime now);

  zmq::socket_t socket_;
  pipeline::AgentSession session_;
  std::string endpoint_;
  std::uint64_t send_failures_ = 0, reconnects_ = 0;
  MonotonicTime failing_since_{}, last_reconnect_{};
  bool failing_ = false;
  Duration reconnect_backoff_ = std::chrono::seconds(1);
};

}  // namespace cw::transport
