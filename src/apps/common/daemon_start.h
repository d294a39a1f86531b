// apps/common/daemon_start.h — what a long-running command does once it is up: install its
// seccomp filter (unless --no-seccomp), then tell the service manager READY=1 (Type=notify:
// `systemctl start` returns when the service really listens). And STOPPING=1 on the way out.
#pragma once

#include <optional>
#include <string>

#include "platform/service_notify.h"
#include "platform/syscall_filter.h"

namespace cw::apps {

class DaemonStart {
 public:
  // Opens the notify socket now ($NOTIFY_SOCKET), before privileges are dropped and the filter
  // is installed.
  DaemonStart();

  // filter: the allow-list's options, or nullopt for none (--no-seccomp, or a command without
  // one). Throws std::runtime_error when the filter cannot be installed.
  void started(const std::string& status,
               const std::optional<platform::SyscallFilterOptions>& filter);
  void stopping();

 private:
  platform::ServiceNotifier notifier_;
};

}  // namespace cw::apps
