// web/listen_address.cpp — "ADDR:PORT" texts of --http and --metrics (web/http_server.h).
#include <boost/asio/ip/address.hpp>

#include "web/http_server.h"

namespace cw::web {

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
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (ec || port > 65535) return std::nullopt;
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

}  // namespace cw::web
