// web/metrics_server.cpp — the metrics-only listener (web/metrics_server.h).
#include "web/metrics_server.h"

#include <stdexcept>

#include "web/metrics.h"

namespace cw::web {

MetricsServer::MetricsServer(const std::string& listen, std::function<std::string()> text)
    : text_(std::move(text)) {
  const auto address = parse_listen_address(listen);
  if (!address) throw std::runtime_error("--metrics " + listen + ": not ADDR:PORT");
  ListenOptions options;
  options.address = address->first;
  options.port = address->second;
  server_ = std::make_unique<HttpServer>(io_, options, [this](const HttpRequest& request) {
    const auto path = std::string_view{request.target}.substr(0, request.target.find('?'));
    if (request.method != "GET" && request.method != "HEAD") return error_response(405, "GET only");
    if (path == "/healthz") return json_response(200, R"({"status":"ok"})");
    if (path != "/metrics") return error_response(404, "only /metrics and /healthz here");
    HttpResponse r;
    r.content_type = kPrometheusContentType;
    r.body = text_();
    return r;
  });
  thread_ = std::thread([this] { io_.run(); });
}

MetricsServer::~MetricsServer() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace cw::web
