// Unit tests for tampered-time detection (detect/clock/tampering.h): the /proc parsers on literal
// texts as Linux writes them, and the judge: one event per process while it lives, clock sets and
// frequency changes fed through literal values (the real clock is never set).
#include "detect/clock/tampering.h"

#include <gtest/gtest.h>

namespace cw::detect {
namespace {
using namespace std::chrono_literals;

Timestamp at(double s) { return from_unix_ns(static_cast<std::int64_t>(1.7e18 + s * 1e9)); }

std::string attr(const events::Event& e, const std::string& key) {
  for (const auto& a : e.attributes)
    if (a.key == key) {
      if (const auto* s = std::get_if<std::string>(&a.value)) return *s;
      if (const auto* i = std::get_if<std::int64_t>(&a.value)) return std::to_string(*i);
    }
  return "";
}

constexpr std::string_view kFakedMaps =
    "55d0c5a00000-55d0c5a02000 r--p 00000000 fe:01 1835073    /usr/bin/sleep\n"
    "7f2b1c000000-7f2b1c004000 r--p 00000000 fe:01 1851012    "
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1\n"
    "7ffd3a5f1000-7ffd3a612000 rw-p 00000000 00:00 0          [stack]\n";

TEST(TamperParsers, FindFakingLibrariesAndVariables) {
  EXPECT_EQ(faking_library_in_maps(kFakedMaps),
            "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");
  EXPECT_EQ(faking_library_in_maps("55d0c5a00000-55d0c5a02000 r--p 0 fe:01 1 /usr/bin/sleep\n"),
            std::nullopt);
  const std::string environ("PATH=/usr/bin\0FAKETIME=+1d\0HOME=/root\0", 38);
  EXPECT_EQ(faking_variable_in_environ(environ), "FAKETIME=+1d");
  const std::string preload("A=1\0LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libdatefudge.so\0", 57);
  EXPECT_EQ(faking_variable_in_environ(preload),
            "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libdatefudge.so");
  EXPECT_EQ(faking_variable_in_environ(std::string("LD_PRELOAD=/lib/libjemalloc.so\0", 31)),
            std::nullopt);
  EXPECT_EQ(faking_library_in_preload("# comment\n/usr/lib/faketime/libfaketime.so.1\n"),
            "/usr/lib/faketime/libfaketime.so.1");
  EXPECT_EQ(faking_library_in_preload(""), std::nullopt);
}

TEST(TamperParsers, TimeNamespaceOffsets) {
  const auto zero =
      parse_timens_offsets("monotonic           0         0\nboottime            0         0\n");
  ASSERT_TRUE(zero);
  EXPECT_FALSE(zero->nonzero());
  const auto shifted = parse_timens_offsets("monotonic 0 0\nboottime 3600 500\n");
  ASSERT_TRUE(shifted);
  EXPECT_EQ(shifted->boottime, 3600s + 500ns);
  EXPECT_TRUE(shifted->nonzero());
  EXPECT_FALSE(parse_timens_offsets("monotonic x 0\n"));
  EXPECT_FALSE(parse_timens_offsets("realtime 1 0\n"));
  EXPECT_FALSE(parse_timens_offsets("boottime 1 1000000000\n"));
  EXPECT_FALSE(parse_timens_offsets(""));
}

ProcessFacts faked(int pid, std::uint64_t start = 100) {
  ProcessFacts p;
  p.pid = pid;
  p.start_time = start;
  p.command = "sleep";
  p.maps_library = faking_library_in_maps(kFakedMaps);
  return p;
}

TEST(TamperJudge, EachProcessOnceWhileItLives) {
  TamperJudge judge;
  ProcessFacts plain;
  plain.pid = 7;
  plain.command = "sleep";
  ProcessFacts ns;
  ns.pid = 9;
  ns.command = "sleep";
  ns.timens = TimeNamespaceOffsets{0s, 3600s};
  auto first = judge.on_processes({faked(42), plain, ns}, at(0));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].type, events::EventType::time_tampering);
  EXPECT_EQ(attr(first[0], "kind"), "faketime_preload");
  EXPECT_EQ(attr(first[0], "pid"), "42");
  EXPECT_EQ(attr(first[1], "kind"), "time_namespace");
  EXPECT_EQ(attr(first[1], "pid"), "9");
  EXPECT_TRUE(judge.on_processes({faked(42), plain, ns}, at(10)).empty());  // reported already
  EXPECT_TRUE(judge.on_processes({plain}, at(20)).empty());                 // both ended
  EXPECT_EQ(judge.reported_processes(), 0u);
  EXPECT_EQ(judge.on_processes({faked(42, 999)}, at(30)).size(), 1u);  // pid reused: new process
}

TEST(TamperJudge, ClockSetStepsFromAFakeClock) {
  TamperJudge judge;
  EXPECT_FALSE(judge.on_clock_set(100us, at(0)));  // below min_clock_step
  const auto e = judge.on_clock_set(-3600s, at(1));
  ASSERT_TRUE(e);
  EXPECT_EQ(attr(*e, "kind"), "clock_set");
  EXPECT_EQ(attr(*e, "step_ns"), std::to_string(Duration(-3600s).count()));
}

TEST(TamperJudge, FrequencyBeyondTheLimitOrChangedWithoutADaemon) {
  TamperJudge judge;
  EXPECT_FALSE(judge.on_kernel_frequency({10 * 65536, 10000}, "chronyd", at(0)));
  EXPECT_FALSE(judge.on_kernel_frequency({20 * 65536, 10000}, "chronyd", at(1)));  // its daemon
  const auto changed = judge.on_kernel_frequency({30 * 65536, 10000}, "", at(2));
  ASSERT_TRUE(changed);
  EXPECT_EQ(attr(*changed, "kind"), "frequency_tampered");
  TamperJudge other;
  EXPECT_TRUE(other.on_kernel_frequency({0, 9000}, "chronyd", at(0)));   // tick changed
  EXPECT_FALSE(other.on_kernel_frequency({0, 9000}, "chronyd", at(1)));  // once while it lasts
}

TEST(TamperJudge, SelfWhenLibcDisagreesWithTheKernel) {
  TamperJudge judge;
  EXPECT_FALSE(judge.on_self(at(0.1), at(0), at(0)));
  const auto e = judge.on_self(at(86400), at(0), at(0));
  ASSERT_TRUE(e);
  EXPECT_EQ(attr(*e, "kind"), "self");
  EXPECT_FALSE(judge.on_self(at(86400), at(0), at(1)));
}

}  // namespace
}  // namespace cw::detect
