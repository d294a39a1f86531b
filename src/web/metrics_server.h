// web/metrics_server.h — `--metrics ADDR:PORT` of serve and agent: a small HTTP listener of its
// own thread that answers GET /metrics (Prometheus text, produced by the caller on each scrape)
// and /healthz, nothing else. No token: it carries counters, not events (bind it to loopback or
// a management network).
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "web/http_server.h"

namespace cw::web {

class MetricsServer {
 public:
  // Binds now (throws std::runtime_error naming the address); serves until destroyed.
  MetricsServer(const std::string& listen, std::function<std::string()> text);
  ~MetricsServer();
  std::uint16_t port() const { return server_->port(); }

 private:
  boost::asio::io_context io_;
  std::function<std::string()> text_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

}  // namespace cw::web
