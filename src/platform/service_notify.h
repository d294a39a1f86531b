// platform/service_notify.h — tells the service manager how a daemon is doing (sd_notify(3)'s
// protocol, written here: one datagram "READY=1", "STOPPING=1", "STATUS=..." to the AF_UNIX
// socket named by $NOTIFY_SOCKET). With Type=notify, `systemctl start` returns only once the
// service said READY=1. Outside systemd (no $NOTIFY_SOCKET) every call does nothing.
#pragma once

#include <string>
#include <string_view>

namespace cw::platform {

class ServiceNotifier {
 public:
  // socket_path: $NOTIFY_SOCKET ("/run/systemd/notify", or "@name" for the abstract namespace);
  // empty: notifications are not wanted. The socket is opened here, once, so that later
  // notifications need no new file descriptor (and pass the seccomp filter).
  explicit ServiceNotifier(std::string socket_path);
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;
  ~ServiceNotifier();

  // Sends one notification ("READY=1\nSTATUS=listening on ..."); false when there is nobody to
  // tell or it could not be sent (then error() says why).
  bool notify(std::string_view state);
  bool ready(std::string_view status = {});
  bool stopping();
  bool enabled() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string error_;
};

// $NOTIFY_SOCKET, or "" when the process was not started by a service manager that listens.
std::string notify_socket_from_environment();

}  // namespace cw::platform
