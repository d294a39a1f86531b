// apps/collector/alerting/alert_worker.h — one receiver's delivery thread and its counters
// (internal to alert_service*.cpp).
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "apps/collector/alerting/alert_receivers.h"
#include "apps/collector/alerting/alert_service.h"

namespace cw::apps {

struct AlertService::Worker {
  Worker(alerts::ReceiverConfig c, AlertReceiver r)
      : config(std::move(c)), receiver(std::move(r)) {}
  alerts::ReceiverConfig config;
  AlertReceiver receiver;
  std::atomic<bool> retired{false};  // removed by a reload: its thread ends
  std::mutex mutex;                  // counters, wake
  std::condition_variable wake;
  ReceiverCounters counters;
  Timestamp next_repost{};
  std::thread thread;
};

}  // namespace cw::apps
