// transport/mqtt/mqtt_sink.cpp — see transport/mqtt_sink.h.
#include "transport/mqtt/mqtt_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "events/drift_json.h"

namespace cw::transport {

MqttSink::MqttSink(MqttOptions options, SpoolOptions spool)
    : options_(std::move(options)),
      session_(std::make_unique<MqttSession>(options_)),
      spool_(std::move(spool)),
      backoff_(options_.reconnect_min) {
  const auto stats = spool_.stats();
  acked_ = stats.next_id - 1 - stats.pending_records;
  last_appended_ = stats.next_id - 1;
  stats_.pending = stats.pending_records;
  if (stats.pending_records > 0)
    spdlog::info("mqtt: {} alert(s) from an earlier run wait in the spool; sending them first",
                 stats.pending_records);
  if (stats.corrupt_records > 0)
    spdlog::warn("mqtt: the spool had {} corrupt record(s); they were skipped",
                 stats.corrupt_records);
  thread_ = std::thread([this] { run(); });
}

MqttSink::~MqttSink() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  to_thread_.notify();
  thread_.join();
  session_->disconnect();
}

void MqttSink::publish(const events::Event& event) {
  const auto payload = events::to_drift_json(event);
  {
    std::lock_guard lock(mutex_);
    const auto dropped_before = spool_.stats().dropped_when_full;
    try {
      last_appended_ = spool_.append(std::as_bytes(std::span{payload}));
      spool_.flush();  // alerts are rare: each one is on disk before we go on
      ++stats_.published;
    } catch (const std::exception& error) {
      ++stats_.dropped;
      spdlog::error("mqtt: could not spool an alert ({}); it is lost", error.what());
    }
    const auto dropped_now = spool_.stats().dropped_when_full - dropped_before;
    if (dropped_now > 0) {
      stats_.dropped += dropped_now;
      spdlog::warn("mqtt: spool full: dropped the {} oldest undelivered alert(s) ({} in all)",
                   dropped_now, stats_.dropped);
    }
  }
  to_thread_.notify();
}

std::optional<std::uint64_t> MqttSink::next_sequence() const {
  std::lock_guard lock(mutex_);
  return spool_.next_id();
}

bool MqttSink::drain(std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (acked_ >= last_appended_) return true;
    }
    const auto left = timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - start);
    if (left <= std::chrono::milliseconds::zero()) return false;
    to_waiters_.wait(std::min(left, std::chrono::milliseconds{200}));
  }
}

// Sleeps (unlocked) for `duration` unless the sink is stopping; new records do not cut it short.
void MqttSink::pause(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds duration) {
  const auto start = std::chrono::steady_clock::now();
  while (!stopping_) {
    const auto left = duration - std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - start);
    if (left <= std::chrono::milliseconds::zero()) return;
    lock.unlock();
    to_thread_.wait(left);
    lock.lock();
  }
}

SinkStats MqttSink::stats() const {
  std::lock_guard lock(mutex_);
  SinkStats result = stats_;
  result.pending = spool_.stats().pending_records;
  return result;
}

std::string MqttSink::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void MqttSink::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (!ensure_connected(lock)) continue;
    if (deliver_pending(lock)) continue;
    lock.unlock();
    to_thread_.wait(std::chrono::seconds{1});  // until a new record (or stop) or a second
    lock.lock();
  }
}

// Connects (outside the lock) when needed; on failure waits out the back-off and says false.
bool MqttSink::ensure_connected(std::unique_lock<std::mutex>& lock) {
  if (session_->connected()) return true;
  lock.unlock();
  auto result = session_->connect();
  lock.lock();
  if (result) {
    if (stats_.connected == false || !last_error_.empty())
      spdlog::info("mqtt: connected to {}", options_.uri());
    stats_.connected = true;
    last_error_.clear();
    backoff_ = options_.reconnect_min;
    return true;
  }
  report_failure(result.error());
  pause(lock, backoff_);
  backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
  return false;
}

void MqttSink::report_failure(const std::string& error) {
  stats_.connected = false;
  if (error != last_error_) {  // logged once per distinct reason, not at every retry
    spdlog::warn("mqtt: {}; alerts wait in the spool ({} pending); retrying with back-off", error,
                 spool_.stats().pending_records);
  }
  last_error_ = error;
  to_waiters_.notify();
}

// Publishes pending records in order, one at a time, each acknowledged before the next, so the
// broker sees them in order even across reconnects. Says whether it did anything.
bool MqttSink::deliver_pending(std::unique_lock<std::mutex>& lock) {
  const auto batch = spool_.peek(acked_, 16);
  if (batch.empty()) {  // nothing pending (records dropped when full are never acknowledged)
    acked_ = std::max(acked_, last_appended_);
    return false;
  }
  for (const auto& record : batch) {
    if (stopping_) return true;
    lock.unlock();
    auto result = session_->publish(options_.topic, record.payload, options_.qos, false);
    lock.lock();
    if (!result) {
      report_failure(result.error());
      lock.unlock();
      session_->disconnect();  // start over: reconnect, resend from the first unacknowledged
      lock.lock();
      return true;
    }
    acked_ = record.id;
    spool_.acknowledge(record.id);
    ++stats_.delivered;
    to_waiters_.notify();
  }
  return true;
}

}  // namespace cw::transport
