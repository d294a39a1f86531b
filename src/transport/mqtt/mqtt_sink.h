// transport/mqtt/mqtt_sink.h — the agent's MQTT sink: every event becomes seed 000's JSON payload,
// is appended to the durable spool (transport/spool.h) and is published from there, in order, by
// a delivery thread that owns the MQTT session; a record leaves the spool only once the broker
// acknowledged it (QoS 1 by default). While the broker is away the thread reconnects with
// doubling back-off and alerts wait on disk, across agent restarts too; when the spool is full
// the oldest are dropped and counted. A redelivered alert carries the same `sequence`.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "transport/event_sink.h"
#include "transport/mqtt/mqtt_options.h"
#include "transport/mqtt/mqtt_session.h"
#include "transport/sink_wakeup.h"
#include "transport/spool/spool.h"

namespace cw::transport {

class MqttSink final : public EventSink {
 public:
  // Opens the spool (throws std::runtime_error naming its directory) and starts delivering.
  MqttSink(MqttOptions options, SpoolOptions spool);
  ~MqttSink() override;  // stops the thread, publishes "offline", disconnects
  MqttSink(const MqttSink&) = delete;
  MqttSink& operator=(const MqttSink&) = delete;

  std::string_view name() const override { return "mqtt"; }
  void publish(const events::Event& event) override;
  bool drain(std::chrono::milliseconds timeout) override;
  std::optional<std::uint64_t> next_sequence() const override;
  SinkStats stats() const override;
  std::string last_error() const;  // why the broker could not be reached, if it could not

 private:
  void run();
  bool ensure_connected(std::unique_lock<std::mutex>& lock);
  bool deliver_pending(std::unique_lock<std::mutex>& lock);
  void report_failure(const std::string& error);
  void pause(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds duration);

  MqttOptions options_;
  std::unique_ptr<MqttSession> session_;  // used by the delivery thread only
  mutable std::mutex mutex_;              // guards everything below
  SinkWakeup to_thread_;                  // new records, stopping
  SinkWakeup to_waiters_;                 // acknowledgements, failures (for drain)
  Spool spool_;
  std::uint64_t acked_ = 0;  // highest id the broker acknowledged
  std::uint64_t last_appended_ = 0;
  SinkStats stats_;
  std::string last_error_;
  std::chrono::milliseconds backoff_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace cw::transport
