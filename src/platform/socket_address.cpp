// platform/socket_address.cpp — sockaddr conversion, host:port splitting and getaddrinfo for
// platform/socket_address.h.
#include "platform/socket_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

namespace cw::platform {

socklen_t SocketAddress::to_sockaddr(sockaddr_storage& out) const {
  out = {};
  if (address.is_v4()) {
    auto& in = reinterpret_cast<sockaddr_in&>(out);
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    in.sin_addr.s_addr = htonl(address.v4_host_order());
    return sizeof(sockaddr_in);
  }
  auto& in6 = reinterpret_cast<sockaddr_in6&>(out);
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(port);
  std::memcpy(in6.sin6_addr.s6_addr, address.bytes().data(), 16);
  return sizeof(sockaddr_in6);
}

std::optional<SocketAddress> SocketAddress::from_sockaddr(const sockaddr* in, socklen_t length) {
  if (in == nullptr) return std::nullopt;
  if (in->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in v4{};
    std::memcpy(&v4, in, sizeof v4);
    return SocketAddress{IpAddress::v4(ntohl(v4.sin_addr.s_addr)), ntohs(v4.sin_port)};
  }
  if (in->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, in, sizeof v6);
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), v6.sin6_addr.s6_addr, 16);
    return SocketAddress{IpAddress::v6(bytes), ntohs(v6.sin6_port)};
  }
  return std::nullopt;
}

std::string SocketAddress::to_string() const {
  const auto text = address.to_string();
  return (address.is_v4() ? text : "[" + text + "]") + ":" + std::to_string(port);
}

bool SocketAddress::is_wildcard() const {
  return address.is_v4() ? address.v4_host_order() == 0 : address == IpAddress{};
}

namespace {

Result<std::uint16_t, std::string> parse_port(std::string_view text, bool allow_zero = false) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || (value == 0 && !allow_zero) ||
      value > 65535)
    return fail(std::string("bad port '") + std::string(text) + "' (expected 1-65535)");
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::optional<SocketAddress> parse_listen_address(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto number = parse_port(port, /*allow_zero=*/true);
  if (!number) return std::nullopt;
  if (host == "*" || host.empty()) return SocketAddress{IpAddress::v4(0), *number};
  auto address = IpAddress::parse(host);
  if (!address) return std::nullopt;
  return SocketAddress{*address, *number};
}

Result<HostPort, std::string> split_host_port(std::string_view text) {
  HostPort out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return fail("unclosed '[' in '" + std::string(text) + "'");
    out.host = std::string(text.substr(1, close - 1));
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return fail("expected ':PORT' after ']' in '" + std::string(text) + "'");
      port_text = rest.substr(1);
      if (port_text.empty()) return fail("missing port after ':' in '" + std::string(text) + "'");
    }
  } else if (const auto colon = text.rfind(':');
             colon != std::string_view::npos && text.find(':') == colon) {
    out.host = std::string(text.substr(0, colon));  // exactly one ':' → host:port
    port_text = text.substr(colon + 1);
    if (port_text.empty()) return fail("missing port after ':' in '" + std::string(text) + "'");
  } else {
    out.host = std::string(text);  // a name, an IPv4 literal, or a bare IPv6 literal
  }
  if (out.host.empty()) return fail("empty host name in '" + std::string(text) + "'");
  if (!port_text.empty()) {
    auto port = parse_port(port_text);
    if (!port) return fail(port.error());
    out.port = *port;
  }
  return out;
}

Result<std::vector<SocketAddress>, std::string> resolve(const std::string& host,
                                                        std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_ADDRCONFIG;
  if (IpAddress::parse(host)) hints.ai_flags = AI_NUMERICHOST;  // literals work without a network
  addrinfo* found = nullptr;
  const int status = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (status != 0) return fail("cannot resolve '" + host + "': " + ::gai_strerror(status));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
  std::vector<SocketAddress> out;
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    auto address = SocketAddress::from_sockaddr(ai->ai_addr, ai->ai_addrlen);
    if (!address) continue;
    address->port = port;
    if (std::find(out.begin(), out.end(), *address) == out.end()) out.push_back(*address);
  }
  if (out.empty()) return fail("'" + host + "' has no IPv4 or IPv6 address");
  return out;
}

}  // namespace cw::platform
