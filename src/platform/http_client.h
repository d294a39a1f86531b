// platform/http_client.h — outgoing HTTP(S) POSTs and SMTP mail (STARTTLS, AUTH), for the
// collector's alert receivers. Both go through libcurl (HTTP/1.1 and 2, TLS, proxies, SMTP with
// STARTTLS in one maintained library), loaded with dlopen on first use like libzmq and libpcap
// (platform/lazy_library.h): a command that sends no alert never maps it. Blocking calls with a
// timeout; one call per thread at a time is the intended use (each call has its own handle).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace cw::platform {

struct HttpRequest {
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  std::chrono::milliseconds timeout{10'000};
};

struct HttpResponse {
  long status = 0;    // 0 when no response came
  std::string error;  // transport failure (connect, timeout, TLS), empty otherwise
  std::string body;   // the first 4 KiB
  bool ok() const { return error.empty() && status >= 200 && status < 300; }
  std::string describe() const;  // "HTTP 500" / "timeout after 10000 ms: ..." for logs
};

HttpResponse http_post(const HttpRequest& request);

struct MailRequest {
  std::string server;  // host:port (smtp://), or smtps://host:port for implicit TLS
  std::string from;
  std::vector<std::string> to;
  std::string message;  // RFC 5322, CRLF line ends, dot-stuffed
  std::string username, password;
  bool require_tls = false;  // STARTTLS or fail; otherwise STARTTLS when offered
  std::string ca_file;       // trust these CAs (PEM) instead of the system's
  std::chrono::milliseconds timeout{30'000};
};

// Empty when the server accepted the message, otherwise what went wrong.
std::string send_mail(const MailRequest& request);

}  // namespace cw::platform
