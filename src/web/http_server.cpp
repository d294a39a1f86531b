// web/http_server.cpp — the Beast listener and its sessions (web/http_server.h). One session
// type per connection kind, the same code over a plain TCP stream or a TLS stream.
#include "web/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <stdexcept>

#include "web/stream_session.h"

namespace cw::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr std::size_t kMaxBody = 64 * 1024;
constexpr std::size_t kMaxHeader = 16 * 1024;
constexpr auto kIdle = std::chrono::seconds(30);

HttpRequest to_request(const http::request<http::string_body>& in, bool tls) {
  HttpRequest out;
  out.method = std::string{in.method_string()};
  out.target = std::string{in.target()};
  out.authorization = std::string{in[http::field::authorization]};
  out.cookie = std::string{in[http::field::cookie]};
  out.body = in.body();
  out.tls = tls;
  return out;
}

http::response<http::string_body> to_beast(HttpResponse r, unsigned version, bool keep_alive) {
  http::response<http::string_body> out{static_cast<http::status>(r.status), version};
  out.set(http::field::server, "chronowatch");
  out.set(http::field::content_type, r.content_type);
  out.set(http::field::cache_control, "no-store");
  out.set("X-Content-Type-Options", "nosniff");
  for (auto& [name, value] : r.headers) out.set(name, value);
  out.body() = std::move(r.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

template <class Stream>
class HttpSession;

}  // namespace

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& context, ListenOptions o, RequestHandler h, UpgradeHandler u)
      : io(context),
        options(std::move(o)),
        handler(std::move(h)),
        upgrade(std::move(u)),
        acceptor(context) {}
  asio::io_context& io;
  ListenOptions options;
  RequestHandler handler;
  UpgradeHandler upgrade;
  tcp::acceptor acceptor;
  std::optional<ssl::context> tls;
  void accept();
};

namespace {

// Ends a connection; `keep` (the session owning the stream) lives until a TLS close_notify
// exchange is done.
void shutdown(beast::tcp_stream& stream, std::shared_ptr<void>) {
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}
void shutdown(beast::ssl_stream<beast::tcp_stream>& stream, std::shared_ptr<void> keep) {
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  stream.async_shutdown([keep = std::move(keep)](beast::error_code) {});
}

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(Stream stream, std::shared_ptr<HttpServer::State> state, bool tls)
      : stream_(std::move(stream)), state_(std::move(state)), tls_(tls) {}

  void run() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxBody);
    parser_->header_limit(kMaxHeader);
    beast::get_lowest_layer(stream_).expires_after(kIdle);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return shutdown(stream_, this->shared_from_this());
    if (ec) {
      if (ec == http::error::body_limit || ec == http::error::header_limit)
        return reply(error_response(413, "request too large"), 11, false);
      return;  // timeout, reset, malformed request: the connection ends
    }
    auto request = parser_->release();
    const auto converted = to_request(request, tls_);
    if (beast::websocket::is_upgrade(request) && state_->upgrade) {
      std::function<void(std::shared_ptr<StreamClient>)> accept;
      if (auto refused = state_->upgrade(converted, accept))
        return reply(std::move(*refused), request.version(), false);
      return start_websocket(std::move(request), std::move(accept));
    }
    reply(state_->handler(converted), request.version(), request.keep_alive());
  }

  void reply(HttpResponse response, unsigned version, bool keep_alive) {
    response_ = to_beast(std::move(response), version, keep_alive);
    http::async_write(
        stream_, response_,
        [self = this->shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
          if (ec) return;
          if (!keep_alive) return shutdown(self->stream_, self);
          self->read();
        });
  }

  void start_websocket(http::request<http::string_body> request,
                       std::function<void(std::shared_ptr<StreamClient>)> accept) {
    beast::get_lowest_layer(stream_).expires_never();
    auto session = std::make_shared<StreamSession<Stream>>(std::move(stream_),
                                                           state_->options.max_queued_frames);
    session->start(std::move(request), std::move(accept));
  }

  Stream stream_;
  std::shared_ptr<HttpServer::State> state_;
  bool tls_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

void start_tls(tcp::socket socket, std::shared_ptr<HttpServer::State> state) {
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;
  auto stream = std::make_shared<TlsStream>(beast::tcp_stream{std::move(socket)}, *state->tls);
  beast::get_lowest_layer(*stream).expires_after(kIdle);
  stream->async_handshake(ssl::stream_base::server, [stream, state](beast::error_code ec) {
    if (ec) return;  // not TLS, or a bad certificate on the other side
    std::make_shared<HttpSession<TlsStream>>(std::move(*stream), state, true)->run();
  });
}

ssl::context make_tls_context(const TlsFiles& files) {
  ssl::context context{ssl::context::tls_server};
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  try {
    context.use_certificate_chain_file(files.certificate);
    context.use_private_key_file(files.private_key, ssl::context::pem);
  } catch (const std::exception& error) {
    throw std::runtime_error("cannot load TLS certificate " + files.certificate + " / key " +
                             files.private_key + ": " + error.what());
  }
  return context;
}

}  // namespace

void HttpServer::State::accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (self->tls)
        start_tls(std::move(socket), self);
      else
        std::make_shared<HttpSession<beast::tcp_stream>>(beast::tcp_stream{std::move(socket)}, self,
                                                         false)
            ->run();
    }
    self->accept();
  });
}

HttpServer::HttpServer(asio::io_context& io, ListenOptions options, RequestHandler handler,
                       UpgradeHandler upgrade)
    : state_(
          std::make_shared<State>(io, std::move(options), std::move(handler), std::move(upgrade))) {
  const auto& o = state_->options;
  if (o.tls) state_->tls.emplace(make_tls_context(*o.tls));
  beast::error_code ec;
  const auto address = asio::ip::make_address(o.address, ec);
  if (ec) throw std::runtime_error("not an IP address: " + o.address);
  const tcp::endpoint endpoint{address, o.port};
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + o.address + ":" + std::to_string(o.port) + ": " +
                             ec.message());
  state_->accept();
}

HttpServer::~HttpServer() { stop(); }

std::uint16_t HttpServer::port() const { return state_->acceptor.local_endpoint().port(); }

void HttpServer::stop() {
  beast::error_code ignored;
  state_->acceptor.close(ignored);
}

std::optional<std::pair<std::string, std::uint16_t>> parse_listen_address(const std::string& text) {
  std::string host;
  std::string_view port_text;
  if (text.starts_with("[")) {
    const auto close = text.find("]:");
    if (close == std::string::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port_text = std::string_view{text}.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) return std::nullopt;
    host = text.substr(0, colon);
    port_text = std::string_view{text}.substr(colon + 1);
  }
  unsigned port = 0;
  if (port_text.empty() || port_text.size() > 5) return std::nullopt;
  for (char c : port_text) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec || port > 65535) return std::nullopt;
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace cw::web
