// apps/common/daemon_start.cpp — see daemon_start.h.
#include "apps/common/daemon_start.h"

#include <spdlog/spdlog.h>

namespace cw::apps {

DaemonStart::DaemonStart() : notifier_(platform::notify_socket_from_environment()) {
  if (!notifier_.error().empty())
    spdlog::warn("{}: systemd is not told when this service is ready", notifier_.error());
}

void DaemonStart::started(const std::string& status,
                          const std::optional<platform::SyscallFilterOptions>& filter) {
  if (filter) {
    platform::install_syscall_filter(*filter);
    spdlog::info(
        "seccomp filter installed: a forbidden system call now ends the process "
        "(--no-seccomp turns it off)");
  }
  if (notifier_.enabled() && !notifier_.ready(status))
    spdlog::warn("{}: systemd will consider the start failed", notifier_.error());
}

void DaemonStart::stopping() { notifier_.stopping(); }

}  // namespace cw::apps
