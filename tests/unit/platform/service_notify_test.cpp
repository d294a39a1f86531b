// tests/unit/platform/service_notify_test.cpp — the notify-socket datagrams, received by a real
// AF_UNIX socket standing in for systemd (a path one and an abstract one).
#include "platform/service_notify.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace cw::platform {
namespace {

class Manager {  // what systemd does: a datagram socket bound at NOTIFY_SOCKET
 public:
  explicit Manager(std::string name) : name_(std::move(name)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name_.data(), name_.size());
    if (name_[0] == '@') address.sun_path[0] = '\0';
    ::unlink(name_.c_str());
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), length), 0);
  }
  ~Manager() {
    ::close(fd_);
    if (name_[0] == '/') ::unlink(name_.c_str());
  }
  std::string receive() {
    char buffer[256];
    const auto n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    return n < 0 ? std::string("(nothing)") : std::string(buffer, static_cast<std::size_t>(n));
  }

 private:
  std::string name_;
  int fd_;
};

TEST(ServiceNotify, ReadyReachesAPathSocket) {
  const std::string path = "/tmp/cw-notify-test-" + std::to_string(::getpid());
  Manager manager(path);
  ServiceNotifier notifier(path);
  EXPECT_TRUE(notifier.ready("listening on 127.0.0.1:123"));
  EXPECT_EQ(manager.receive(), "READY=1\nSTATUS=listening on 127.0.0.1:123");
  EXPECT_TRUE(notifier.stopping());
  EXPECT_EQ(manager.receive(), "STOPPING=1");
}

TEST(ServiceNotify, AbstractNamespaceSocket) {
  const std::string name = "@cw-notify-test-" + std::to_string(::getpid());
  Manager manager(name);
  ServiceNotifier notifier(name);
  EXPECT_TRUE(notifier.ready());
  EXPECT_EQ(manager.receive(), "READY=1");
}

TEST(ServiceNotify, NobodyListeningIsNotAnError) {
  ServiceNotifier notifier("");
  EXPECT_FALSE(notifier.enabled());
  EXPECT_FALSE(notifier.ready());
  EXPECT_TRUE(notifier.error().empty());
}

TEST(ServiceNotify, AGoneManagerIsReported) {
  ServiceNotifier notifier("/tmp/cw-notify-test-nobody-here");
  EXPECT_FALSE(notifier.ready());
  EXPECT_NE(notifier.error().find("cannot notify"), std::string::npos);
  ServiceNotifier bogus("relative/path");
  EXPECT_FALSE(bogus.enabled());
  EXPECT_NE(bogus.error().find("not a socket path"), std::string::npos);
}

}  // namespace
}  // namespace cw::platform
