// transport/zmq/zmq_event_sender.h — the agent's ZeroMQ sink: submit() events from any thread; a
// sender thread rate-limits them (events/rate_limiter.h), numbers them with the durable Spool's
// ids (sequences that survive restarts), adds a heartbeat every interval (uptime, counters, CPU,
// RSS, load, connectivity, version from /proc), and ships acknowledged batches to the collector.
// Unacknowledged events stay in the spool and go again after a reconnect or a restart.
#pragma once

#include <atomic>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/unique_fd.h"
#include "events/event.h"
#include "events/rate_limiter.h"
#include "pipeline/agent_session.h"
#include "transport/spool/spool.h"
#include "transport/zmq/zmq_sockets.h"

namespace cw::transport {

struct SenderOptions {
  std::string collector = "tcp://127.0.0.1:5555";          // seed 002's endpoint and port
  std::filesystem::path key_file;                          // this agent's NAME.key
  std::filesystem::path collector_key_file;                // the collector's NAME.pub
  SpoolOptions spool;                                      // directory required
  events::AgentIdentity identity;                          // agent_id, node, version
  events::RateLimitOptions rate;                           // seed 002: max_events_per_second 100
  Duration heartbeat_interval = std::chrono::seconds(30);  // seed 002: heartbeat_interval 30
  pipeline::SessionOptions session;
  LinkTiming timing;
  std::size_t inbox_limit = 100000;  // events submitted but not yet rate-limited
  // Longest wait for the collector's answer between two turns (timers: heartbeat, rate limit,
  // retries). A submit() to an empty inbox wakes the sender at once: an event never waits for it.
  Duration turn_wait = std::chrono::milliseconds(20);
};

struct SenderStats {
  std::uint64_t submitted = 0, inbox_dropped = 0;
  events::RateLimitStats rate;
  pipeline::SessionStats session;
  SpoolStats spool;
  std::uint64_t heartbeats = 0, reconnects = 0;
};

class ZmqEventSender {
 public:
  // Reads the keys and opens the spool (throws std::runtime_error naming what is wrong), then
  // starts the sender thread, which spools an agent_start event. `clock` (readable from the
  // sender thread) times the rate limit, the heartbeats, the link's timeouts and stamps the
  // events the sender makes.
  ZmqEventSender(SenderOptions options, Clock& clock);
  // Spools an agent_stop event, gives in-flight batches up to `linger` to be acknowledged, stops.
  ~ZmqEventSender();
  ZmqEventSender(const ZmqEventSender&) = delete;
  ZmqEventSender& operator=(const ZmqEventSender&) = delete;

  void submit(events::Event event);  // thread-safe; agent_id and sequence are filled in here
  SenderStats stats() const;

 private:
  class Worker;
  SenderOptions options_;
  mutable std::mutex mutex_;
  std::deque<events::Event> inbox_;
  UniqueFd wake_;  // eventfd: written by submit() when the inbox was empty, polled by the sender
  SenderStats published_;
  std::uint64_t submitted_ = 0, inbox_dropped_ = 0;
  std::atomic<bool> stop_{false};
  std::unique_ptr<Worker> worker_;
  std::thread thread_;
};

}  // namespace cw::transport
