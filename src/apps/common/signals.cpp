// apps/common/signals.cpp — SIGINT/SIGTERM/SIGHUP → flags (see signals.h).
#include "apps/common/signals.h"

#include <csignal>

namespace cw::apps {
namespace {

SignalFlags g_flags;  // the one place signal handlers can reach; only flags, set atomically

extern "C" void on_signal(int number) {
  if (number == SIGHUP)
    g_flags.reload = true;
  else
    g_flags.stop = true;
}

}  // namespace

SignalFlags& install_signal_flags() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  for (int number : {SIGINT, SIGTERM, SIGHUP}) sigaction(number, &action, nullptr);
  return g_flags;
}

}  // namespace cw::apps
