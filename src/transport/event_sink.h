// transport/event_sink.h — where the agent's events go: one small interface that every sink
// implements (stdout JSON lines, MQTT, and the ZeroMQ pipeline), so the agent fans out to the
// sinks the user chose without knowing what they are.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "events/event.h"

namespace cw::transport {

struct SinkStats {
  std::uint64_t published = 0;  // handed to the sink
  std::uint64_t delivered = 0;  // confirmed (by the broker for MQTT QoS ≥ 1)
  std::uint64_t pending = 0;    // waiting (in a spool) for delivery
  std::uint64_t dropped = 0;    // lost: spool full, or write failure
  bool connected = true;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual std::string_view name() const = 0;

  // Takes the event; must not block on the network nor throw for network conditions (a sink
  // that cannot deliver now keeps the event, or counts it as dropped).
  virtual void publish(const events::Event& event) = 0;

  // Waits up to `timeout` until everything published so far is delivered; true when it is.
  virtual bool drain(std::chrono::milliseconds /*timeout*/) { return true; }

  // A durable sink's next sequence number (ids that survive restarts); the agent numbers events
  // from it so that `sequence` is the same in every sink. nullopt: the sink has none.
  virtual std::optional<std::uint64_t> next_sequence() const { return std::nullopt; }

  virtual SinkStats stats() const = 0;
};

}  // namespace cw::transport
