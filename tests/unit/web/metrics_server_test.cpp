// web/metrics_server.h on loopback: a scrape is answered, and connections beyond the cap are
// closed at once while those within it are kept (memory and descriptors stay bounded).
#include "web/metrics_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace cw::web {
namespace {

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  return fd;
}

// Whether the server closed `fd` within `ms` (a read sees the end).
bool closed_within(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, ms) != 1) return false;
  char c;
  return ::recv(fd, &c, 1, 0) == 0;
}

std::string scrape(std::uint16_t port) {
  const int fd = connect_to(port);
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::string reply;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) reply.append(buffer, n);
  ::close(fd);
  return reply;
}

TEST(MetricsServer, AnswersAScrapeAndClosesConnectionsBeyondTheCap) {
  MetricsServer server("127.0.0.1:0", [] { return std::string{"test_up 1\n"}; });
  EXPECT_NE(scrape(server.port()).find("test_up 1"), std::string::npos);

  std::vector<int> idle;
  for (std::size_t i = 0; i < MetricsServer::kMaxConnections; ++i)
    idle.push_back(connect_to(server.port()));
  const int extra = connect_to(server.port());
  EXPECT_TRUE(closed_within(extra, 2000)) << "a connection beyond the cap is closed at once";
  EXPECT_FALSE(closed_within(idle.front(), 200)) << "one within the cap is kept";
  ::close(extra);
  for (const int fd : idle) ::close(fd);

  bool answered = false;  // the idle ones' ends reach the server: room again
  for (int attempt = 0; attempt < 50 && !answered; ++attempt) {
    answered = scrape(server.port()).find("test_up 1") != std::string::npos;
    if (!answered) ::usleep(20'000);
  }
  EXPECT_TRUE(answered);
}

}  // namespace
}  // namespace cw::web
