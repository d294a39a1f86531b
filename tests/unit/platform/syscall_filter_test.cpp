// tests/unit/platform/syscall_filter_test.cpp — the seccomp filter really kills: in a child
// process (gtest's death tests fork), a forbidden call (execve, fork, ptrace, a raw socket without
// --interface, a clock adjustment without --discipline) ends the process with SIGSYS, while the
// calls a daemon makes (threads, files, UDP, time) still work.
#include "platform/syscall_filter.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/timex.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <thread>

namespace cw::platform {
namespace {

void filtered_then(auto forbidden, const SyscallFilterOptions& options = {}) {
  install_syscall_filter(options);
  forbidden();
  std::fprintf(stderr, "still alive\n");
  std::_Exit(0);
}

TEST(SyscallFilterDeathTest, ExecveKillsTheProcess) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(filtered_then([] {
                char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
                ::execv("/bin/true", argv);
              }),
              testing::KilledBySignal(SIGSYS), "forbidden system call number 59");
}

TEST(SyscallFilterDeathTest, ForkKillsTheProcess) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(filtered_then([] { ::fork(); }), testing::KilledBySignal(SIGSYS), "seccomp");
}

TEST(SyscallFilterDeathTest, PtraceAndRawSocketsKillTheProcess) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(filtered_then([] { ::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr); }),
              testing::KilledBySignal(SIGSYS), "seccomp");
  EXPECT_EXIT(filtered_then([] { ::socket(AF_PACKET, SOCK_RAW, 0); }),
              testing::KilledBySignal(SIGSYS), "seccomp");
}

TEST(SyscallFilterDeathTest, ClockAdjustmentOnlyWithDiscipline) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  timex reading{};  // modes 0: a read, but the call itself is what the filter refuses
  EXPECT_EXIT(filtered_then([&] { ::adjtimex(&reading); }), testing::KilledBySignal(SIGSYS),
              "seccomp");
  EXPECT_EXIT(filtered_then([&] { ::adjtimex(&reading); }, {.adjust_clock = true}),
              testing::ExitedWithCode(0), "still alive");
}

TEST(SyscallFilterDeathTest, ReadingTheKernelClockAllowsAdjtimexButNotSettingTheTime) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  timex reading{};  // modes 0: what the agent's tamper scan does
  EXPECT_EXIT(filtered_then([&] { ::adjtimex(&reading); }, {.read_kernel_clock = true}),
              testing::ExitedWithCode(0), "still alive");
  // No clock this machine has (EINVAL were it allowed): the test can never set the time.
  timespec zero{};
  EXPECT_EXIT(filtered_then([&] { ::clock_settime(static_cast<clockid_t>(1000), &zero); },
                            {.read_kernel_clock = true}),
              testing::KilledBySignal(SIGSYS), "seccomp");
}

TEST(SyscallFilterDeathTest, WhatADaemonDoesStillWorks) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      filtered_then([] {
        std::thread([] { std::this_thread::sleep_for(std::chrono::milliseconds(1)); }).join();
        const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        const int file = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        if (udp < 0 || file < 0) std::_Exit(3);
        ::close(udp);
        ::close(file);
        auto* memory = new char[1 << 20];
        delete[] memory;
      }),
      testing::ExitedWithCode(0), "still alive");
}

}  // namespace
}  // namespace cw::platform
