// transport/ingest_queue.h — the bounded hand-off from the collector's ingest thread (ZeroMQ) to
// its writer thread (the store). Bounded in events: when full, the ingest thread stops reading
// its socket, so back-pressure reaches the agents through TCP instead of anything being dropped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "events/event.h"

namespace cw::transport {

struct IngestBatch {
  std::string agent_id;
  std::vector<events::Event> events;  // sequences increasing; all new to the collector
  std::uint64_t next = 0;             // storing these makes the agent's committed next this
  std::optional<events::AgentIdentity> hello;  // a hello to record (events then empty)
  Timestamp received{};  // wall clock when the ingest thread read it (0: not measured)
};

class IngestQueue {
 public:
  explicit IngestQueue(std::size_t capacity_events) : capacity_(capacity_events) {}

  bool full() const {
    std::lock_guard lock(mutex_);
    return events_ >= capacity_;
  }
  void push(IngestBatch batch) {
    {
      std::lock_guard lock(mutex_);
      events_ += batch.events.size();
      batches_.push_back(std::move(batch));
    }
    ready_.notify_one();
  }
  // Waits up to `wait` for a first batch, then takes batches until `max_events` are gathered.
  std::vector<IngestBatch> pop(std::size_t max_events, std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, wait, [this] { return !batches_.empty() || closed_; });
    std::vector<IngestBatch> out;
    std::size_t taken = 0;
    while (!batches_.empty() &&
           (out.empty() || taken + batches_.front().events.size() <= max_events)) {
      taken += batches_.front().events.size();
      events_ -= batches_.front().events.size();
      out.push_back(std::move(batches_.front()));
      batches_.pop_front();
    }
    return out;
  }
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }
  bool closed_and_empty() const {
    std::lock_guard lock(mutex_);
    return closed_ && batches_.empty();
  }
  std::size_t size_events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<IngestBatch> batches_;
  std::size_t events_ = 0;
  std::size_t capacity_;
  bool closed_ = false;
};

}  // namespace cw::transport
