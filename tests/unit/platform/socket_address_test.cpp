// tests/unit/platform/socket_address_test.cpp — host:port splitting, sockaddr round trips and
// resolution of literals (no DNS traffic: only numeric hosts and "localhost").
#include "platform/socket_address.h"

#include <gtest/gtest.h>

namespace cw::platform {
namespace {

TEST(SplitHostPort, NameAndPort) {
  auto hp = split_host_port("ntp.example:1123").value();
  EXPECT_EQ(hp.host, "ntp.example");
  EXPECT_EQ(hp.port, 1123);
}

TEST(SplitHostPort, NameWithoutPort) {
  auto hp = split_host_port("pool.ntp.org").value();
  EXPECT_EQ(hp.host, "pool.ntp.org");
  EXPECT_FALSE(hp.port);
}

TEST(SplitHostPort, BracketedIpv6WithAndWithoutPort) {
  auto hp = split_host_port("[::1]:123").value();
  EXPECT_EQ(hp.host, "::1");
  EXPECT_EQ(hp.port, 123);
  EXPECT_EQ(split_host_port("[2001:db8::1]").value().host, "2001:db8::1");
}

TEST(SplitHostPort, BareIpv6LiteralHasNoPort) {
  auto hp = split_host_port("2001:db8::1").value();
  EXPECT_EQ(hp.host, "2001:db8::1");
  EXPECT_FALSE(hp.port);
}

TEST(SplitHostPort, RejectsBadInput) {
  EXPECT_FALSE(split_host_port(""));
  EXPECT_FALSE(split_host_port(":123"));
  EXPECT_FALSE(split_host_port("host:"));
  EXPECT_FALSE(split_host_port("host:0"));
  EXPECT_FALSE(split_host_port("host:65536"));
  EXPECT_FALSE(split_host_port("host:12x"));
  EXPECT_FALSE(split_host_port("[::1"));
  EXPECT_FALSE(split_host_port("[::1]123"));
  EXPECT_FALSE(split_host_port("[]:123"));
}

TEST(SocketAddress, RoundTripsThroughSockaddr) {
  for (const char* text : {"192.0.2.7", "2001:db8::42"}) {
    const SocketAddress a{*IpAddress::parse(text), 4123};
    sockaddr_storage storage{};
    const auto length = a.to_sockaddr(storage);
    const auto back = SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), length);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(*back, a);
  }
}

TEST(SocketAddress, Formats) {
  EXPECT_EQ((SocketAddress{*IpAddress::parse("127.0.0.1"), 123}.to_string()), "127.0.0.1:123");
  EXPECT_EQ((SocketAddress{*IpAddress::parse("::1"), 123}.to_string()), "[::1]:123");
}

TEST(Resolve, NumericLiterals) {
  const auto v4 = resolve("127.0.0.1", 123).value();
  ASSERT_EQ(v4.size(), 1u);
  EXPECT_EQ(v4[0].to_string(), "127.0.0.1:123");
  const auto v6 = resolve("::1", 9).value();
  ASSERT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6[0].to_string(), "[::1]:9");
}

TEST(ParseListenAddress, NumericAddressAndPortOrAWildcard) {
  EXPECT_EQ(parse_listen_address("127.0.0.1:123")->to_string(), "127.0.0.1:123");
  EXPECT_EQ(parse_listen_address("[::1]:8123")->to_string(), "[::1]:8123");
  EXPECT_TRUE(parse_listen_address("*:123")->is_wildcard());
  EXPECT_TRUE(parse_listen_address("[::]:123")->is_wildcard());
  EXPECT_FALSE(parse_listen_address("127.0.0.1:123")->is_wildcard());
  EXPECT_FALSE(parse_listen_address("127.0.0.1"));
  EXPECT_FALSE(parse_listen_address("::1:123"));
  EXPECT_FALSE(parse_listen_address("127.0.0.1:70000"));
  EXPECT_FALSE(parse_listen_address("host:123"));
  EXPECT_EQ(parse_listen_address("127.0.0.1:0")->port, 0);  // any free port
  EXPECT_EQ(parse_listen_address("*:123")->to_string(), "0.0.0.0:123");
}

}  // namespace
}  // namespace cw::platform
