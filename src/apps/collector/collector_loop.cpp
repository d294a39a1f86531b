// apps/collector/collector_loop.cpp — the collector's event loop (collector_loop.h).
#include "apps/collector/collector_loop.h"

namespace cw::apps {

CollectorLoop::CollectorLoop() : timer_(io_) {}  // the timer brings the reactor (epoll, timerfd)

void CollectorLoop::run(std::function<bool()> tick, std::chrono::milliseconds period) {
  tick_ = std::move(tick);
  period_ = period;
  arm();
  io_.restart();
  io_.run();
}

void CollectorLoop::arm() {
  timer_.expires_after(period_);
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    if (tick_())
      arm();
    else
      io_.stop();
  });
}

void CollectorLoop::finish(std::chrono::milliseconds grace) {
  io_.restart();
  io_.run_for(grace);
  io_.stop();
}

}  // namespace cw::apps
