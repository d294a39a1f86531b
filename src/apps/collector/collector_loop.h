// apps/collector/collector_loop.h — the collector's one event loop: Asio's io_context, run on the
// main thread. It carries the console (src/web: listener, REST routes, live stream, its store
// reads on their own connection) and the collector's own timer (the stop and reload signals, the
// counters' report). The ingest thread (ZeroMQ) and the writer thread (the store) are not on it:
// they own their socket and connection, and the console's store reads never delay them
// (docs/architecture.md, "Threads and loops").
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>

namespace cw::apps {

class CollectorLoop {
 public:
  CollectorLoop();  // creates the loop's epoll and timer now, before a seccomp filter is set
  boost::asio::io_context& io() { return io_; }

  // Runs the loop on the calling thread and calls `tick` on it every `period` (the timer's wait
  // only paces it; `tick` reads the injected clock for what it decides). Returns once `tick`
  // returns false; what was posted and not yet run stays queued for finish().
  void run(std::function<bool()> tick, std::chrono::milliseconds period);
  // Runs the loop again for `grace` (what was posted meanwhile, the console's close frames),
  // then stops it.
  void finish(std::chrono::milliseconds grace);

 private:
  void arm();
  boost::asio::io_context io_;
  boost::asio::steady_timer timer_;
  std::function<bool()> tick_;
  std::chrono::milliseconds period_{100};
};

}  // namespace cw::apps
