// apps/serve_upstream.h — the server's upstream sync: polls each upstream with the NTP client
// core, filters and combines the measurements, and publishes the served clock (virtual clock by
// default; with --discipline the system clock is corrected instead, through a ClockAdjuster).
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "apps/serve_options.h"
#include "apps/serve_runtime.h"
#include "core/clock.h"
#include "core/random.h"

namespace cw::apps {

class UpstreamSync {
 public:
  UpstreamSync(std::vector<std::string> servers, const ServeOptions& options, Clock& clock,
               Random& random, SharedServerState& state, ntp::Precision precision);
  ~UpstreamSync();
  void start();
  void stop();
  bool synchronized() const { return synchronized_.load(); }

 private:
  void run();
  std::vector<std::string> servers_;
  Clock& clock_;
  Random& random_;
  SharedServerState& state_;
  ntp::Precision precision_;
  std::atomic<bool> synchronized_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace cw::apps
