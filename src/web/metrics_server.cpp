// web/metrics_server.cpp — the metrics-only listener (web/metrics_server.h).
#include "web/metrics_server.h"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>

#include "web/http_server.h"  // parse_listen_address
#include "web/metrics.h"

namespace cw::web {
namespace {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

constexpr auto kRequestDeadline = std::chrono::seconds{10};
constexpr std::uint64_t kRequestLimit = 8 * 1024;  // a scrape's GET is a few hundred bytes

// One connection: read one request, answer it, close.
struct Exchange : std::enable_shared_from_this<Exchange> {
  Exchange(tcp::socket socket, const std::function<std::string()>& producer, std::size_t& open)
      : stream(std::move(socket)), text(producer), open_count(open) {
    ++open_count;
  }
  ~Exchange() { --open_count; }

  void start() {
    parser.body_limit(kRequestLimit);
    parser.header_limit(kRequestLimit);
    stream.expires_after(kRequestDeadline);
    http::async_read(stream, buffer, parser, [self = shared_from_this()](auto error, auto) {
      if (!error) self->answer();
    });
  }

  void answer() {
    const auto& request = parser.get();
    const auto target = std::string_view{request.target().data(), request.target().size()};
    const auto path = target.substr(0, target.find('?'));
    response.version(request.version());
    response.keep_alive(false);
    response.set(http::field::content_type, "application/json");
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      response.result(http::status::method_not_allowed);
      response.body() = R"({"error":"GET only"})";
    } else if (path == "/healthz") {
      response.body() = R"({"status":"ok"})";
    } else if (path == "/metrics") {
      response.set(http::field::content_type, kPrometheusContentType);
      response.body() = text();
    } else {
      response.result(http::status::not_found);
      response.body() = R"({"error":"only /metrics and /healthz here"})";
    }
    response.prepare_payload();
    if (request.method() == http::verb::head) response.body().clear();
    http::async_write(stream, response, [self = shared_from_this()](auto, auto) {
      boost::system::error_code ignored;
      self->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  boost::beast::tcp_stream stream;
  const std::function<std::string()>& text;
  std::size_t& open_count;
  boost::beast::flat_buffer buffer;
  http::request_parser<http::string_body> parser;
  http::response<http::string_body> response{http::status::ok, 11};
};

}  // namespace

MetricsServer::MetricsServer(const std::string& listen, std::function<std::string()> text)
    : text_(std::move(text)), acceptor_(io_) {
  const auto address = parse_listen_address(listen);
  if (!address) throw std::runtime_error("--metrics " + listen + ": not ADDR:PORT");
  const tcp::endpoint endpoint{boost::asio::ip::make_address(address->first), address->second};
  boost::system::error_code error;
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(tcp::socket::max_listen_connections, error);
  if (error)
    throw std::runtime_error("--metrics " + listen + ": cannot listen: " + error.message());
  accept();
  thread_ = std::thread([this] { io_.run(); });
}

MetricsServer::~MetricsServer() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void MetricsServer::accept() {
  acceptor_.async_accept([this](boost::system::error_code error, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (error) {  // out of descriptors, most likely: try again shortly instead of at once
      retry_.expires_after(std::chrono::milliseconds{100});
      retry_.async_wait([this](boost::system::error_code) { accept(); });
      return;
    }
    if (open_ < kMaxConnections)
      std::make_shared<Exchange>(std::move(socket), text_, open_)->start();
    accept();  // a connection beyond the cap is closed here, as `socket` goes
  });
}

}  // namespace cw::web
