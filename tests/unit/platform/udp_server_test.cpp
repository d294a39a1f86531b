// tests/unit/platform/udp_server_test.cpp — the batched server socket on loopback: receive
// timestamps, peers, replies from the right address.
#include "platform/udp_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

namespace cw::platform {
namespace {

using namespace std::chrono_literals;

struct Client {
  UniqueFd fd;
  explicit Client(int family) : fd(::socket(family, SOCK_DGRAM, 0)) {
    timeval tv{1, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void send_to(const SocketAddress& to, std::string_view payload) {
    sockaddr_storage s{};
    socklen_t length = 0;
    if (to.address.is_v4()) {
      auto& sin = reinterpret_cast<sockaddr_in&>(s);
      sin.sin_family = AF_INET;
      sin.sin_port = htons(to.port);
      sin.sin_addr.s_addr = htonl(to.address.v4_host_order());
      length = sizeof sin;
    } else {
      auto& sin6 = reinterpret_cast<sockaddr_in6&>(s);
      sin6.sin6_family = AF_INET6;
      sin6.sin6_port = htons(to.port);
      std::memcpy(&sin6.sin6_addr, to.address.bytes().data(), 16);
      length = sizeof sin6;
    }
    ASSERT_EQ(::sendto(fd.get(), payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&s),
                       length),
              static_cast<ssize_t>(payload.size()));
  }
  std::string receive() {
    char buffer[256];
    const auto n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    return n < 0 ? std::string{} : std::string(buffer, static_cast<std::size_t>(n));
  }
};

void echo_upper(UdpServerSocket& server, DatagramBatch& batch, std::size_t expected) {
  std::size_t got = 0;
  while (got < expected) {
    const auto n = server.receive(batch);
    ASSERT_GT(n, 0u) << "nothing received";
    for (std::size_t i = 0; i < n; ++i) {
      const auto& d = batch.datagram(i);
      auto out = batch.reply_buffer(i);
      for (std::size_t k = 0; k < d.bytes.size(); ++k)
        out[k] = static_cast<std::byte>(std::toupper(static_cast<int>(d.bytes[k])));
      batch.queue_reply(i, d.bytes.size());
    }
    EXPECT_EQ(server.send(batch), 0u);
    got += n;
  }
}

TEST(UdpServerSocket, ReceivesABatchWithKernelTimestampsAndAnswersEach) {
  auto server = UdpServerSocket::open(*parse_listen_address("127.0.0.1:0"), SocketOptions{});
  ASSERT_NE(server.local().port, 0);
  DatagramBatch batch(8, 512);
  Client a(AF_INET), b(AF_INET);
  const auto before = std::chrono::system_clock::now();
  a.send_to(server.local(), "hello");
  b.send_to(server.local(), "ntp");
  echo_upper(server, batch, 2);
  EXPECT_EQ(a.receive(), "HELLO");
  EXPECT_EQ(b.receive(), "NTP");
  const auto& d = batch.datagram(0);
  EXPECT_EQ(d.peer.address.to_string(), "127.0.0.1");
  EXPECT_NE(d.peer.port, 0);
  EXPECT_GE(d.received_at, before - 1s);
  EXPECT_LE(d.received_at, std::chrono::system_clock::now() + 1s);
}

TEST(UdpServerSocket, WildcardRepliesFromTheAddressAsked) {
  auto server = UdpServerSocket::open(*parse_listen_address("*:0"), SocketOptions{});
  DatagramBatch batch(4, 512);
  Client a(AF_INET);
  a.send_to(SocketAddress{*IpAddress::parse("127.0.0.2"), server.local().port}, "x");
  echo_upper(server, batch, 1);
  sockaddr_in from{};
  socklen_t length = sizeof from;
  char buffer[16];
  ASSERT_EQ(
      ::recvfrom(a.fd.get(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &length),
      1);
  EXPECT_EQ(ntohl(from.sin_addr.s_addr), 0x7f000002u);
}

TEST(UdpServerSocket, Ipv6Loopback) {
  auto server = UdpServerSocket::open(*parse_listen_address("[::1]:0"), SocketOptions{});
  DatagramBatch batch(4, 512);
  Client a(AF_INET6);
  a.send_to(server.local(), "six");
  echo_upper(server, batch, 1);
  EXPECT_EQ(a.receive(), "SIX");
  EXPECT_EQ(batch.datagram(0).peer.address.to_string(), "::1");
}

TEST(UdpServerSocket, TimesOutWithNothing) {
  SocketOptions options;
  options.receive_timeout = 20ms;
  auto server = UdpServerSocket::open(*parse_listen_address("127.0.0.1:0"), options);
  DatagramBatch batch(4, 512);
  EXPECT_EQ(server.receive(batch), 0u);
}

TEST(UdpServerSocket, NonBlockingReceiveReturnsAtOnceWhenEmpty) {
  SocketOptions options;
  options.receive_timeout = 2s;  // would be noticed if the call waited
  auto server = UdpServerSocket::open(*parse_listen_address("127.0.0.1:0"), options);
  DatagramBatch batch(4, 512);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(server.receive(batch, /*wait=*/false), 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  Client a(AF_INET);
  a.send_to(server.local(), "now");
  std::size_t n = 0;
  for (int tries = 0; tries < 1000 && n == 0; ++tries) n = server.receive(batch, false);
  EXPECT_EQ(n, 1u);
}

TEST(UdpServerSocket, RepliesLeaveOneByOneAsTheyAreQueued) {
  auto server = UdpServerSocket::open(*parse_listen_address("127.0.0.1:0"), SocketOptions{});
  DatagramBatch batch(8, 512);
  Client a(AF_INET), b(AF_INET);
  a.send_to(server.local(), "first");
  b.send_to(server.local(), "second");
  ASSERT_EQ(server.receive(batch), 2u);  // loopback delivers within sendto: both are queued
  for (std::size_t i = 0; i < 2; ++i)
    std::memcpy(batch.reply_buffer(i).data(), batch.datagram(i).bytes.data(),
                batch.datagram(i).bytes.size());
  batch.queue_reply(0, 3);
  EXPECT_EQ(server.send(batch), 0u);  // sends the first only
  EXPECT_EQ(batch.sent(), 1u);
  EXPECT_EQ(a.receive(), "fir");
  batch.queue_reply(1, 2);
  EXPECT_EQ(server.send(batch, 1), 0u);  // nothing new below 1
  EXPECT_EQ(batch.sent(), 1u);
  EXPECT_EQ(server.send(batch), 0u);
  EXPECT_EQ(batch.sent(), 2u);
  EXPECT_EQ(b.receive(), "se");
}

TEST(UdpServerSocket, JoiningSocketsShareTheFoundersAddress) {
  auto first = UdpServerSocket::open(*parse_listen_address("127.0.0.1:0"), SocketOptions{});
  SocketOptions join;
  join.sharing = PortSharing::join;
  EXPECT_NO_THROW(UdpServerSocket::open(first.local(), join));
  SocketOptions exclusive;
  exclusive.sharing = PortSharing::exclusive;
  EXPECT_THROW(UdpServerSocket::open(first.local(), exclusive), std::system_error);
}

// Another process's SO_REUSEPORT socket (chronyd's) would let a plain SO_REUSEPORT bind share its
// port; a founding socket binds alone and is refused, saying why.
TEST(UdpServerSocket, FounderRefusesAnAddressAReusePortSocketHolds) {
  UniqueFd other(::socket(AF_INET, SOCK_DGRAM, 0));
  const int one = 1;
  ASSERT_EQ(::setsockopt(other.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one), 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(other.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(other.get(), reinterpret_cast<sockaddr*>(&address), &length), 0);
  const auto held = *parse_listen_address("127.0.0.1:" + std::to_string(ntohs(address.sin_port)));
  try {
    UdpServerSocket::open(held, SocketOptions{});
    FAIL() << "bound beside another socket";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code().value(), EADDRINUSE);
    EXPECT_NE(std::string(error.what()).find("address in use by another process"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace cw::platform
