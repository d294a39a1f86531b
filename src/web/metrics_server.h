// web/metrics_server.h — `--metrics ADDR:PORT` of serve and agent: a small HTTP listener of its
// own thread that answers GET /metrics (Prometheus text, produced by the caller on each scrape)
// and /healthz, nothing else. No token: it carries counters, not events (bind it to loopback or
// a management network). Plain Beast HTTP, one request per connection, and not web::HttpServer
// (WebSocket, TLS, routes): that would be ~1.6 MB of the agent's 4.5 MB program. At most
// kMaxConnections at once (each gets 10 s): one more is closed at once, so memory and descriptors
// stay bounded whoever connects.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>

namespace cw::web {

class MetricsServer {
 public:
  static constexpr std::size_t kMaxConnections = 32;

  // Binds now (throws std::runtime_error naming the address); serves until destroyed.
  MetricsServer(const std::string& listen, std::function<std::string()> text);
  ~MetricsServer();
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void accept();

  // Declared before io_: the connections io_ still holds when it goes refer to both.
  std::function<std::string()> text_;
  std::size_t open_ = 0;  // connections now; the io thread's alone
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_{io_};  // after a failed accept (EMFILE): wait, don't spin
  std::thread thread_;
};

}  // namespace cw::web
