// transport/zmq/zmq_sink.cpp — ZmqSink (see zmq_sink.h).
#include "transport/zmq/zmq_sink.h"

#include <thread>

namespace cw::transport {

void ZmqSink::publish(const events::Event& event) {
  sender_.submit(event);
  ++published_;
}

bool ZmqSink::drain(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto s = sender_.stats();
    const bool all_offered = s.rate.offered + s.inbox_dropped >= published_.load();
    if (all_offered && s.rate.backlog == 0 && s.spool.pending_records == 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

SinkStats ZmqSink::stats() const {
  const auto s = sender_.stats();
  SinkStats out;
  out.published = published_.load();
  out.pending = s.spool.pending_records + s.rate.backlog;
  out.delivered = out.published > out.pending ? out.published - out.pending : 0;
  out.dropped = s.inbox_dropped + s.spool.dropped_when_full;
  out.connected = s.session.connected;
  return out;
}

}  // namespace cw::transport
