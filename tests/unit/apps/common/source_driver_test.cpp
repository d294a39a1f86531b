// tests/unit/apps/common/source_driver_test.cpp — the one UDP shell of ntp::Source on loopback:
// several sources share the deadline loop against our own responder on a plain socket, a closed
// port is "refused" and ends that source's burst at once, and run_until_done returns when every
// burst is done.
#include "apps/common/source_driver.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "ntp/responder.h"
#include "platform/system_clock.h"

namespace cw::apps {
namespace {

using namespace std::chrono_literals;

// An NTP server on a loopback socket: answers every request with ntp::Responder until stopped.
struct LoopbackServer {
  UniqueFd fd;
  platform::SocketAddress address;
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  std::thread thread;

  LoopbackServer() {
    address = platform::SocketAddress{*IpAddress::parse("127.0.0.1"), 0};
    fd.reset(::socket(AF_INET, SOCK_DGRAM, 0));
    sockaddr_storage storage{};
    auto length = address.to_sockaddr(storage);
    EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&storage), length), 0);
    length = sizeof storage;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&storage), &length);
    address =
        *platform::SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), length);
    const timeval tick{0, 50'000};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
    thread = std::thread([this] { serve(); });
  }
  ~LoopbackServer() {
    stop = true;
    thread.join();
  }

  void serve() {
    platform::SystemClock clock;
    ntp::Responder responder(ntp::ResponderConfig{}, 7);
    std::array<std::byte, ntp::kMaxPacketSize> in{};
    std::array<std::byte, ntp::kMaxPacketSize> out{};
    while (!stop) {
      sockaddr_storage from{};
      socklen_t length = sizeof from;
      const auto got = ::recvfrom(fd.get(), in.data(), in.size(), 0,
                                  reinterpret_cast<sockaddr*>(&from), &length);
      if (got <= 0) continue;
      const auto state = ntp::local_state(2, ntp::Precision{-20}, clock.now());
      const auto request = std::span(in).first(static_cast<std::size_t>(got));
      const auto reply =
          responder.respond(request, *IpAddress::parse("127.0.0.1"), clock.now(), state, out);
      responder.seal(reply, out, clock.now());
      ++answered;  // before the reply leaves: the client may look as soon as it arrives
      ::sendto(fd.get(), out.data(), reply.size, 0, reinterpret_cast<sockaddr*>(&from), length);
    }
  }
};

TEST(SourceDriver, RunsEveryBurstToItsEndOnOneLoop) {
  platform::SystemClock clock;
  platform::SystemRandom random;
  LoopbackServer server;
  ntp::SourceConfig config;
  config.timeout = 1s;
  ntp::Source a({}, config, random);
  ntp::Source b({}, config, random);
  ntp::Source closed({}, config, random);
  int updates = 0;
  SourceDriver driver(clock, {}, [&](std::size_t) { ++updates; });
  const auto ia = driver.add(a, server.address);
  const auto ib = driver.add(b, server.address);
  auto nowhere = server.address;
  nowhere.port = static_cast<std::uint16_t>(nowhere.port == 65535 ? 65534 : nowhere.port + 1);
  const auto ic = driver.add(closed, nowhere);
  const auto start = clock.monotonic_now();
  driver.apply(ia, a.start_burst(3, 10ms, start));
  driver.apply(ib, b.start_burst(2, 10ms, start));
  driver.apply(ic, closed.start_burst(3, 10ms, start));
  driver.run_until_done();
  EXPECT_LT(clock.monotonic_now() - start, 900ms);  // nobody waited for a timeout
  EXPECT_EQ(a.report().samples.size(), 3u);
  EXPECT_EQ(b.report().samples.size(), 2u);
  EXPECT_EQ(updates, 5);
  EXPECT_EQ(server.answered, 5);
  EXPECT_TRUE(closed.done());
  EXPECT_EQ(closed.report().silence, ntp::Silence::refused);
  EXPECT_NE(driver.error(ic).find("refused"), std::string::npos);
  for (const auto* s : {&a, &b}) {
    EXPECT_TRUE(s->done());
    EXPECT_GE(s->report().samples.back().measurement.time, s->report().samples.front().sent_at);
  }
}

TEST(SourceDriver, ASilentServerEndsItsBurstAtTheTimeout) {
  platform::SystemClock clock;
  platform::SystemRandom random;
  // A bound socket that never answers.
  UniqueFd silent(::socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in bound{};
  bound.sin_family = AF_INET;
  bound.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(silent.get(), reinterpret_cast<sockaddr*>(&bound), sizeof bound), 0);
  socklen_t length = sizeof bound;
  ::getsockname(silent.get(), reinterpret_cast<sockaddr*>(&bound), &length);
  ntp::SourceConfig config;
  config.timeout = 200ms;
  ntp::Source s({}, config, random);
  SourceDriver driver(clock, {});
  const auto slot =
      driver.add(s, platform::SocketAddress{*IpAddress::parse("127.0.0.1"), ntohs(bound.sin_port)});
  const auto start = clock.monotonic_now();
  driver.apply(slot, s.start_burst(4, 10ms, start));
  driver.run_until_done();
  const auto took = clock.monotonic_now() - start;
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 800ms);  // one timeout, not four
  EXPECT_EQ(s.report().silence, ntp::Silence::timeout);
}

}  // namespace
}  // namespace cw::apps
