// transport/zmq/zmq_agent_link.h — one agent's connection to the collector: a CURVE DEALER socket
// driven by an AgentSession. Given several collectors ("tcp://a:5555,tcp://b:5555", all sharing
// one key pair and one store), it starts at the agent's home one and fails over to the next when
// the current one leaves it unanswered (pipeline/failover.h); logged and counted. No thread of its
// own: its owner polls `socket()` (with others, as `chronowatch simulate` does for a thousand
// agents) and calls pump()/on_readable().
#pragma once

#include <string>
#include <zmq.hpp>

#include "pipeline/agent_session.h"
#include "pipeline/failover.h"
#include "transport/zmq/zmq_sockets.h"

namespace cw::transport {

struct LinkStats {
  pipeline::SessionStats session;
  std::uint64_t send_failures = 0;
  std::uint64_t reconnects = 0;  // sockets re-connected after a refused or failed handshake
  std::uint64_t failovers = 0;   // moves to the next collector of the list
  std::size_t collector = 0;     // index of the current one
};

class ZmqAgentLink {
 public:
  // `endpoints`: one, or several separated by commas; `agent_id` picks the first one.
  ZmqAgentLink(zmq::context_t& context, const std::string& endpoints, const CurveKeyPair& key,
               const std::string& collector_public_key, pipeline::Outbox& outbox,
               std::vector<std::byte> identity_bytes, pipeline::BatchEncoder encode_batch,
               pipeline::SessionOptions session = {}, const LinkTiming& timing = {},
               std::string_view agent_id = {});

  zmq::socket_t& socket() { return socket_; }
  // Sends what the session wants to send now; true if it sent anything. Sending may consume the
  // socket's ZMQ_FD signal of a frame that arrived meanwhile: an owner that waits on ZMQ_FD calls
  // on_readable() after a pump that sent.
  bool pump(MonotonicTime now);
  void on_readable(MonotonicTime now);  // read every waiting frame from the collector
  MonotonicTime next_deadline(MonotonicTime now) const;
  LinkStats stats() const {
    return {session_.stats(), send_failures_, reconnects_, failover_.failovers(),
            failover_.current()};
  }
  const std::string& endpoint() const { return endpoints_[failover_.current()]; }

 private:
  void send_all(std::vector<std::vector<std::byte>> frames, MonotonicTime now);
  void reconnect_if_refused(MonotonicTime now);
  void fail_over(MonotonicTime now);

  zmq::socket_t socket_;
  pipeline::AgentSession session_;
  std::vector<std::string> endpoints_;
  pipeline::Failover failover_;
  std::string agent_id_;  // for the log
  std::chrono::milliseconds failover_after_;
  std::uint64_t send_failures_ = 0, reconnects_ = 0;
  MonotonicTime failing_since_{}, last_reconnect_{};
  bool failing_ = false;
  Duration handshake_timeout_;  // LinkTiming::handshake_timeout: the first reconnect's delay
  Duration reconnect_backoff_{};
  static constexpr Duration max_backoff() { return std::chrono::seconds(30); }
};

}  // namespace cw::transport
