// tests/unit/platform/sysinfo_test.cpp — the /proc parsers on literal texts as Linux writes them
// (including a command name with spaces and parentheses), and a live sample of this process.
#include "platform/sysinfo.h"

#include <gtest/gtest.h>

namespace cw::platform {
namespace {

TEST(Sysinfo, StatCpuTicksCountFieldsAfterTheCommandName) {
  const char* stat =
      "4242 (we ird) name) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 50 0 0 20 0 3 0 99 "
      "123456 789 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  EXPECT_EQ(parse_stat_cpu_ticks(stat), 300u);  // utime 250 + stime 50
  EXPECT_FALSE(parse_stat_cpu_ticks("4242 (x) S 1"));
  EXPECT_FALSE(parse_stat_cpu_ticks("garbage"));
}

TEST(Sysinfo, StatmAndLoadavg) {
  EXPECT_EQ(parse_statm_resident_pages("5000 1200 300 10 0 900 0\n"), 1200u);
  EXPECT_FALSE(parse_statm_resident_pages("5000"));
  EXPECT_DOUBLE_EQ(parse_loadavg_1min("0.42 0.30 0.20 1/123 4567\n").value(), 0.42);
  EXPECT_FALSE(parse_loadavg_1min("x 0.30"));
}

TEST(Sysinfo, SamplesThisProcess) {
  const auto before = sample_process();
  volatile double sink = 0;
  for (int i = 0; i < 20'000'000; ++i) sink = sink + i * 0.5;
  const auto after = sample_process();
  EXPECT_GT(after.rss_bytes, 1u << 20);
  EXPECT_GE(after.cpu_ticks, before.cpu_ticks);
  EXPECT_GE(cpu_percent(before, after), 0.0);
}

}  // namespace
}  // namespace cw::platform
