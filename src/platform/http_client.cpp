// platform/http_client.cpp — libcurl's easy interface behind http_post and send_mail; the library
// is opened on first use (platform/lazy_library.h).
#include "platform/http_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "platform/lazy_library.h"

namespace cw::platform {
namespace {

LazyLibrary& libcurl() {
  static LazyLibrary library{"libcurl.so.4", "libcurl4"};
  return library;
}

// The few libcurl functions used, resolved once. curl_easy_setopt is variadic: it is called
// through its pointer with exactly one typed argument, as its documentation requires.
struct Curl {
  CURLcode (*global_init)(long);
  CURL* (*init)();
  void (*cleanup)(CURL*);
  CURLcode (*setopt)(CURL*, CURLoption, ...);
  CURLcode (*perform)(CURL*);
  CURLcode (*getinfo)(CURL*, CURLINFO, ...);
  const char* (*strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

const Curl& curl() {
  static const Curl api = [] {
    auto& lib = libcurl();
    Curl c{lib.symbol<decltype(Curl::global_init)>("curl_global_init"),
           lib.symbol<decltype(Curl::init)>("curl_easy_init"),
           lib.symbol<decltype(Curl::cleanup)>("curl_easy_cleanup"),
           lib.symbol<decltype(Curl::setopt)>("curl_easy_setopt"),
           lib.symbol<decltype(Curl::perform)>("curl_easy_perform"),
           lib.symbol<decltype(Curl::getinfo)>("curl_easy_getinfo"),
           lib.symbol<decltype(Curl::strerror)>("curl_easy_strerror"),
           lib.symbol<decltype(Curl::slist_append)>("curl_slist_append"),
           lib.symbol<decltype(Curl::slist_free_all)>("curl_slist_free_all")};
    c.global_init(CURL_GLOBAL_DEFAULT);
    return c;
  }();
  return api;
}

struct Handle {
  CURL* easy = curl().init();
  curl_slist* list = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  ~Handle() {
    if (list) curl().slist_free_all(list);
    if (easy) curl().cleanup(easy);
  }
  void add(const std::string& item) { list = curl().slist_append(list, item.c_str()); }
  void set(CURLoption option, long value) { curl().setopt(easy, option, value); }
  void set(CURLoption option, const char* value) { curl().setopt(easy, option, value); }
  void set_pointer(CURLoption option, void* value) { curl().setopt(easy, option, value); }
  void common(std::chrono::milliseconds timeout) {
    set_pointer(CURLOPT_ERRORBUFFER, error);
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<long>(timeout.count(), 10'000)));
  }
  std::string failure(CURLcode code) const {
    return error[0] ? fmt::format("{}: {}", curl().strerror(code), error)
                    : std::string(curl().strerror(code));
  }
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* out) {
  auto& body = *static_cast<std::string*>(out);
  const auto bytes = size * count;
  body.append(data, std::min(bytes, std::size_t{4096} - std::min<std::size_t>(body.size(), 4096)));
  return bytes;
}

struct Reader {
  const std::string& text;
  std::size_t offset = 0;
};

std::size_t feed(char* buffer, std::size_t size, std::size_t count, void* in) {
  auto& reader = *static_cast<Reader*>(in);
  const auto n = std::min(size * count, reader.text.size() - reader.offset);
  std::memcpy(buffer, reader.text.data() + reader.offset, n);
  reader.offset += n;
  return n;
}

}  // namespace

std::string HttpResponse::describe() const {
  if (!error.empty()) return error;
  return fmt::format("HTTP {}{}{}", status, body.empty() ? "" : ": ", body.substr(0, 200));
}

HttpResponse http_post(const HttpRequest& request) {
  HttpResponse response;
  Handle h;
  if (!h.easy) return {0, "cannot create a libcurl handle", {}};
  h.common(request.timeout);
  h.set(CURLOPT_URL, request.url.c_str());
  h.set(CURLOPT_POST, 1L);
  h.set_pointer(CURLOPT_POSTFIELDS, const_cast<char*>(request.body.data()));
  h.set(CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  h.set(CURLOPT_PROTOCOLS_STR, "http,https");
  h.add("Expect:");  // no 100-continue round trip
  for (const auto& header : request.headers) h.add(header);
  h.set_pointer(CURLOPT_HTTPHEADER, h.list);
  h.set_pointer(CURLOPT_WRITEFUNCTION, reinterpret_cast<void*>(&collect));
  h.set_pointer(CURLOPT_WRITEDATA, &response.body);
  if (const auto code = curl().perform(h.easy); code != CURLE_OK) {
    response.error = h.failure(code);
    return response;
  }
  curl().getinfo(h.easy, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

std::string send_mail(const MailRequest& request) {
  Handle h;
  if (!h.easy) return "cannot create a libcurl handle";
  h.common(request.timeout);
  const auto url =
      request.server.find("://") == std::string::npos ? "smtp://" + request.server : request.server;
  h.set(CURLOPT_URL, url.c_str());
  h.set(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  h.set(CURLOPT_USE_SSL, request.require_tls ? static_cast<long>(CURLUSESSL_ALL)
                                             : static_cast<long>(CURLUSESSL_TRY));
  if (!request.ca_file.empty()) h.set(CURLOPT_CAINFO, request.ca_file.c_str());
  if (!request.username.empty()) {
    h.set(CURLOPT_USERNAME, request.username.c_str());
    h.set(CURLOPT_PASSWORD, request.password.c_str());
  }
  const auto from = "<" + request.from + ">";
  h.set(CURLOPT_MAIL_FROM, from.c_str());
  for (const auto& to : request.to) h.add("<" + to + ">");
  h.set_pointer(CURLOPT_MAIL_RCPT, h.list);
  Reader reader{request.message};
  h.set_pointer(CURLOPT_READFUNCTION, reinterpret_cast<void*>(&feed));
  h.set_pointer(CURLOPT_READDATA, &reader);
  h.set(CURLOPT_UPLOAD, 1L);
  if (const auto code = curl().perform(h.easy); code != CURLE_OK) return h.failure(code);
  return {};
}

}  // namespace cw::platform
