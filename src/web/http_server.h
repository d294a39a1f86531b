// web/http_server.h — one listener for HTTP/1.1 and WebSocket (Boost.Beast over Asio), plain or
// TLS, on an io_context the caller runs. Requests go to a handler; a WebSocket upgrade goes to an
// upgrade handler that either refuses it with a response or takes the connection as a
// StreamClient. Keep-alive, a request size cap and idle timeouts are handled here.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "web/http_types.h"

namespace cw::web {

// A WebSocket client as the routes see it: frames are queued (bounded) and written in order.
class StreamClient {
 public:
  virtual ~StreamClient() = default;
  // false when the queue is full (the frame is not queued).
  virtual bool send(std::shared_ptr<const std::string> frame) = 0;
  virtual std::size_t queued() const = 0;
  virtual void close(const std::string& reason) = 0;  // sends a close frame with this reason
  // Called when the queue becomes empty, and once when the connection is gone.
  std::function<void()> on_drained;
  std::function<void()> on_closed;
};

struct TlsFiles {
  std::string certificate;  // PEM chain
  std::string private_key;  // PEM
};

struct ListenOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see HttpServer::port())
  std::optional<TlsFiles> tls;
  std::size_t max_queued_frames = 4096;  // per WebSocket client
};

using RequestHandler = std::function<HttpResponse(const HttpRequest&)>;
// Returns a response to refuse the upgrade, or nullopt and keeps `accept` to call with the
// client once the handshake is done.
using UpgradeHandler = std::function<std::optional<HttpResponse>(
    const HttpRequest&, std::function<void(std::shared_ptr<StreamClient>)>& accept)>;

class HttpServer {
 public:
  // Binds and listens now (throws std::runtime_error naming the address on failure); accepts
  // once the io_context runs.
  HttpServer(boost::asio::io_context& io, ListenOptions options, RequestHandler handler,
             UpgradeHandler upgrade = {});
  ~HttpServer();
  std::uint16_t port() const;
  void stop();  // closes the listener (open connections end with the io_context)

  struct State;  // internal (http_server.cpp)

 private:
  std::shared_ptr<State> state_;
};

// "ADDR:PORT" (IPv6 as [ADDR]:PORT) → address and port; nullopt when malformed.
std::optional<std::pair<std::string, std::uint16_t>> parse_listen_address(const std::string& text);

}  // namespace cw::web
