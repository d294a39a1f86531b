// apps/common/signals.h — the long-running commands' signal handling: SIGINT/SIGTERM ask for a
// graceful stop, SIGHUP for a reload. Flags only (async-signal-safe); the command's loop acts on
// them.
#pragma once

#include <atomic>

namespace cw::apps {

struct SignalFlags {
  std::atomic<bool> stop{false};
  std::atomic<bool> reload{false};
};

// Installs handlers that set the flags of `flags` (one set per process); idempotent.
SignalFlags& install_signal_flags();

}  // namespace cw::apps
