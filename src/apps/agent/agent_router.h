// apps/agent/agent_router.h — fans the agent's events out to the sinks the user chose (stdout,
// MQTT, later the ZeroMQ pipeline), numbering them first: `sequence` comes from the durable MQTT
// spool when there is one (so it survives restarts and is the same in every sink), else from the
// agent's sequence file (transport/sequence_file.h), else (no writable directory) from a counter.
// Every producer in the agent (the clock monitor now, the network monitor later) publishes through
// one router, from the agent's main thread.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "events/event.h"
#include "transport/event_sink.h"
#include "transport/spool/sequence_file.h"

namespace cw::apps {

class EventRouter {
 public:
  void add(std::unique_ptr<transport::EventSink> sink) { sinks_.push_back(std::move(sink)); }
  // Numbers events from `file` when no sink has a durable numbering of its own.
  void number_from(std::unique_ptr<transport::SequenceFile> file);
  bool durable_sequence() const;  // a sink numbers events durably
  void publish(events::Event event);
  // While held, events wait in memory (unnumbered) until release() sends them to the sinks
  // added meanwhile: --once connects to the broker only when it has something to say.
  void hold() { holding_ = true; }
  void release();
  std::size_t held() const { return held_.size(); }
  // Waits until every sink delivered everything, up to `timeout` in all; true when they did.
  bool drain(std::chrono::milliseconds timeout);
  std::uint64_t published() const { return published_; }
  const std::vector<std::unique_ptr<transport::EventSink>>& sinks() const { return sinks_; }

 private:
  std::vector<std::unique_ptr<transport::EventSink>> sinks_;
  void dispatch(events::Event event);
  std::uint64_t next_number();

  std::unique_ptr<transport::SequenceFile> sequence_file_;
  bool holding_ = false;
  std::vector<events::Event> held_;
  std::uint64_t counter_ = 0;
  std::uint64_t published_ = 0;
};

}  // namespace cw::apps
