// platform/socket_address.h — an IP address and UDP/TCP port as one value, its conversion to and
// from the kernel's sockaddr_storage, "host:port" / "[v6]:port" text, and name resolution
// (getaddrinfo, IPv4 and IPv6), and the "ADDR:PORT" of a listening socket. The one socket-address
// type of platform/: clients, the NTP server's listen addresses and its peers alike.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.h"
#include "core/result.h"

namespace cw::platform {

struct SocketAddress {
  IpAddress address;
  std::uint16_t port = 0;

  // The kernel's form: AF_INET for IPv4-mapped addresses, AF_INET6 otherwise.
  socklen_t to_sockaddr(sockaddr_storage& out) const;
  // nullopt for families other than AF_INET / AF_INET6.
  static std::optional<SocketAddress> from_sockaddr(const sockaddr* in, socklen_t length);
  int family() const { return address.is_v4() ? AF_INET : AF_INET6; }

  std::string to_string() const;  // "192.0.2.1:123", "[2001:db8::1]:123"
  bool is_wildcard() const;       // 0.0.0.0 or :: (every address of that family)
  auto operator<=>(const SocketAddress&) const = default;
};

// Where a server listens: "192.0.2.1:123", "[2001:db8::1]:123", "*:123" (every IPv4 address),
// "[::]:123" (every IPv6 address). Numeric addresses only; the port is required, 0 = any free
// port. nullopt for anything else.
std::optional<SocketAddress> parse_listen_address(std::string_view text);

// "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 literal ("::1") split into host and
// optional port. Fails with a message on an empty host, a bad or out-of-range port, or an
// unclosed bracket.
struct HostPort {
  std::string host;
  std::optional<std::uint16_t> port;
};
Result<HostPort, std::string> split_host_port(std::string_view text);

// Every address of `host` (a literal or a name, resolved with getaddrinfo for UDP), in the
// resolver's order, each with `port`. Fails with getaddrinfo's message.
Result<std::vector<SocketAddress>, std::string> resolve(const std::string& host,
                                                        std::uint16_t port);

}  // namespace cw::platform
