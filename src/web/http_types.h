// web/http_types.h — the requests and responses the routes see, without Beast: what a route
// needs of a request (method, target, credentials, body) and what it answers.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace cw::web {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // "/api/v1/events?limit=10"
  std::string authorization;
  std::string cookie;
  std::string body;
  bool tls = false;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

HttpResponse json_response(int status, std::string body);
// {"error": message} or {"error": message, "parameter": name}
HttpResponse error_response(int status, const std::string& message,
                            const std::string& parameter = {});

}  // namespace cw::web
