// Unit tests for the tamper scan's /proc readers (platform/host_time_readers.h): the stat and
// status parsers on literal texts, and the readers on this very process (read-only).
#include "platform/host_time_readers.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

namespace cw::platform {
namespace {

TEST(HostTimeReaders, StatStartTimeSurvivesOddCommandNames) {
  EXPECT_EQ(parse_stat_start_time("1234 (a (weird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 0 "
                                  "0 0 0 20 0 1 0 98765 8192 100"),
            98765u);
  EXPECT_EQ(parse_stat_start_time("1 (init) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 7 1"),
            7u);
  EXPECT_FALSE(parse_stat_start_time("1 (init) S 0 1"));
  EXPECT_FALSE(parse_stat_start_time("garbage"));
}

TEST(HostTimeReaders, StatCommandKeepsParenthesesInTheName) {
  EXPECT_EQ(parse_stat_command("1234 (a (weird) name) S 1 1234"), "a (weird) name");
  EXPECT_EQ(parse_stat_command("7 () S 1"), "");
  EXPECT_FALSE(parse_stat_command("7 )sleep( S 1"));
  EXPECT_FALSE(parse_stat_command("garbage"));
}

TEST(HostTimeReaders, StatusUid) {
  EXPECT_EQ(parse_status_uid("Name:\tsleep\nUmask:\t0022\nUid:\t1000\t1000\t1000\t1000\n"), 1000u);
  EXPECT_FALSE(parse_status_uid("Name:\tsleep\n"));
}

TEST(HostTimeReaders, ReadsThisProcessAndItsClocks) {
  const auto self = ::getpid();
  const auto all = list_processes();
  EXPECT_TRUE(
      std::any_of(all.begin(), all.end(), [&](const ProcessId& p) { return p.pid == self; }));
  const auto me =
      std::find_if(all.begin(), all.end(), [&](const auto& p) { return p.pid == self; });
  ASSERT_NE(me, all.end());
  EXPECT_EQ(me->command, read_process(self)->command);
  const auto texts = read_process(self);
  ASSERT_TRUE(texts);
  EXPECT_FALSE(texts->command.empty());
  ASSERT_TRUE(texts->maps);
  EXPECT_NE(texts->maps->find('/'), std::string::npos);
  const auto libc = libc_realtime(), raw = raw_realtime();
  EXPECT_LT(std::chrono::abs(libc - raw), std::chrono::seconds(1));
  EXPECT_TRUE(read_kernel_frequency());  // modes = 0: a read
}

}  // namespace
}  // namespace cw::platform
