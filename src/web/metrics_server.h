// web/metrics_server.h — `--metrics ADDR:PORT` of serve and agent: a small HTTP listener of its
// own thread that answers GET /metrics (Prometheus text, produced by the caller on each scrape)
// and /healthz, nothing else. No token: it carries counters, not events (bind it to loopback or
// a management network). Plain Beast HTTP, one request per connection, and not web::HttpServer
// (WebSocket, TLS, routes): that would be ~1.6 MB of the agent's 4.5 MB program.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>
#include <thread>

namespace cw::web {

class MetricsServer {
 public:
  // Binds now (throws std::runtime_error naming the address); serves until destroyed.
  MetricsServer(const std::string& listen, std::function<std::string()> text);
  ~MetricsServer();
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void accept();

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::function<std::string()> text_;
  std::thread thread_;
};

}  // namespace cw::web
