// transport/zmq/zmq_sink.h — the agent's EventSink over the ZeroMQ pipeline: the drift agent's and
// the network monitor's events go to the collector (CURVE, acknowledged batches, durable spool,
// rate limit, heartbeats — all of it in ZmqEventSender) beside MQTT and stdout.
#pragma once

#include <atomic>

#include "transport/event_sink.h"
#include "transport/zmq/zmq_event_sender.h"

namespace cw::transport {

class ZmqSink final : public EventSink {
 public:
  // Throws std::runtime_error naming the key file or spool directory that cannot be used.
  // `clock`: the sender's (ZmqEventSender).
  ZmqSink(SenderOptions options, Clock& clock) : sender_(std::move(options), clock) {}

  std::string_view name() const override { return "zmq"; }
  void publish(const events::Event& event) override;
  // True once every published event has left the rate limiter and been acknowledged by the
  // collector (the spool is empty).
  bool drain(std::chrono::milliseconds timeout) override;
  SinkStats stats() const override;

 private:
  ZmqEventSender sender_;
  std::atomic<std::uint64_t> published_{0};
};

}  // namespace cw::transport
