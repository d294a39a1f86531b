// tests/unit/platform/udp_client_test.cpp — the UDP client against a plain socket on loopback
// (IPv4 and IPv6): what is sent arrives, the answer comes back with a kernel timestamp between
// T1 and now, a silent peer gives a timeout at the deadline, and a closed port is "refused".
#include "platform/udp_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>

#include "platform/system_clock.h"

namespace cw::platform {
namespace {

using namespace std::chrono_literals;

// A bound UDP socket on loopback that the test drives by hand.
struct Peer {
  UniqueFd fd;
  SocketAddress address;

  explicit Peer(const char* ip) {
    address = SocketAddress{*IpAddress::parse(ip), 0};
    fd.reset(::socket(address.family(), SOCK_DGRAM, 0));
    sockaddr_storage storage{};
    auto length = address.to_sockaddr(storage);
    EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&storage), length), 0);
    length = sizeof storage;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&storage), &length);
    address = *SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), length);
  }

  void echo() {
    std::array<char, 512> buffer{};
    sockaddr_storage from{};
    socklen_t length = sizeof from;
    const auto got = ::recvfrom(fd.get(), buffer.data(), buffer.size(), 0,
                                reinterpret_cast<sockaddr*>(&from), &length);
    ASSERT_GT(got, 0);
    ::sendto(fd.get(), buffer.data(), static_cast<std::size_t>(got), 0,
             reinterpret_cast<sockaddr*>(&from), length);
  }
};

void exchange_over(const char* ip) {
  SystemClock clock;
  Peer peer(ip);
  UdpClient client(peer.address, clock);
  const std::array<std::byte, 3> ping{std::byte{1}, std::byte{2}, std::byte{3}};
  const Timestamp t1 = client.send(ping);
  peer.echo();
  std::array<std::byte, 64> buffer{};
  const auto got = client.receive(buffer, clock.monotonic_now() + 2s);
  ASSERT_TRUE(got) << to_string(got.error());
  ASSERT_EQ(got->bytes.size(), 3u);
  EXPECT_EQ(got->bytes[2], std::byte{3});
  EXPECT_TRUE(got->kernel_timestamp);
  EXPECT_GE(got->received_at, t1);
  EXPECT_LE(got->received_at, clock.now());
}

TEST(UdpClient, ExchangesOverIpv4WithKernelTimestamp) { exchange_over("127.0.0.1"); }
TEST(UdpClient, ExchangesOverIpv6WithKernelTimestamp) { exchange_over("::1"); }

TEST(UdpClient, SilentPeerTimesOutAtTheDeadline) {
  SystemClock clock;
  Peer peer("127.0.0.1");
  UdpClient client(peer.address, clock);
  client.send(std::array<std::byte, 1>{});
  std::array<std::byte, 64> buffer{};
  const auto start = clock.monotonic_now();
  const auto got = client.receive(buffer, start + 100ms);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error(), ReceiveError::timeout);
  EXPECT_GE(clock.monotonic_now() - start, 100ms);
}

TEST(UdpClient, ClosedPortIsRefused) {
  SystemClock clock;
  SocketAddress closed;
  {
    Peer gone("127.0.0.1");
    closed = gone.address;
  }  // the port is closed again
  UdpClient client(closed, clock);
  client.send(std::array<std::byte, 1>{});
  std::array<std::byte, 64> buffer{};
  const auto got = client.receive(buffer, clock.monotonic_now() + 2s);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error(), ReceiveError::refused);
}

TEST(UdpClient, DatagramLongerThanTheBufferIsDroppedNotTruncated) {
  SystemClock clock;
  Peer peer("127.0.0.1");
  UdpClient client(peer.address, clock);
  client.send(std::array<std::byte, 100>{});
  peer.echo();  // 100 bytes back: too long for the buffer below
  client.send(std::array<std::byte, 4>{});
  peer.echo();  // 4 bytes: fits
  std::array<std::byte, 64> buffer{};
  const auto got = client.receive(buffer, clock.monotonic_now() + 2s);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->bytes.size(), 4u);
}

TEST(UdpClient, UserSpaceTimestampsWhenAsked) {
  SystemClock clock;
  Peer peer("127.0.0.1");
  UdpClient client(peer.address, clock, UdpClient::Options{.kernel_timestamps = false});
  client.send(std::array<std::byte, 1>{});
  peer.echo();
  std::array<std::byte, 64> buffer{};
  const auto got = client.receive(buffer, clock.monotonic_now() + 2s);
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->kernel_timestamp);
}

}  // namespace
}  // namespace cw::platform
