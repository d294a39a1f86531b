// platform/service_notify.cpp — sd_notify's datagram protocol (see service_notify.h): about 40
// lines, against linking libsystemd (and its ~1 MB of dependencies) into every daemon for it.
#include "platform/service_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace cw::platform {

ServiceNotifier::ServiceNotifier(std::string socket_path) : path_(std::move(socket_path)) {
  sockaddr_un address{};
  if (path_.empty()) return;
  if (path_.size() >= sizeof(address.sun_path) || (path_[0] != '/' && path_[0] != '@')) {
    error_ = "NOTIFY_SOCKET '" + path_ + "' is not a socket path";
    return;
  }
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) error_ = std::string("NOTIFY_SOCKET: socket: ") + std::strerror(errno);
}

ServiceNotifier::~ServiceNotifier() {
  if (fd_ >= 0) ::close(fd_);
}

bool ServiceNotifier::notify(std::string_view state) {
  if (fd_ < 0) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path_.data(), path_.size());
  if (address.sun_path[0] == '@') address.sun_path[0] = '\0';  // abstract namespace
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path_.size());
  const auto sent = ::sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&address), length);
  if (sent == static_cast<ssize_t>(state.size())) return true;
  error_ = "cannot notify the service manager at " + path_ + ": " + std::strerror(errno);
  return false;
}

bool ServiceNotifier::ready(std::string_view status) {
  std::string message = "READY=1";
  if (!status.empty()) message.append("\nSTATUS=").append(status);
  return notify(message);
}

bool ServiceNotifier::stopping() { return notify("STOPPING=1"); }

std::string notify_socket_from_environment() {
  const char* path = std::getenv("NOTIFY_SOCKET");
  return path != nullptr ? path : "";
}

}  // namespace cw::platform
