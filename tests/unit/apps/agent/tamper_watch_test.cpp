// tests/unit/apps/agent/tamper_watch_test.cpp — the agent's tamper scan (apps/agent/
// agent_tamper_watch.h) over a literal /proc tree: a process first seen before its exec (faketime
// forks, and its child is still `faketime` until it execs the command with LD_PRELOAD) is judged
// again once it runs the other program, and then reported once while it lives.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "apps/agent/agent_tamper_watch.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace cw::apps {
namespace {

struct KeptEvents final : transport::EventSink {
  explicit KeptEvents(std::vector<events::Event>& out) : out_(out) {}
  std::string_view name() const override { return "kept"; }
  void publish(const events::Event& event) override { out_.push_back(event); }
  transport::SinkStats stats() const override { return {}; }
  std::vector<events::Event>& out_;
};

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// /proc/PID as the kernel shows it for `command` (comm, stat with start time 777, uid 0).
void process(const cw::testing::TempDir& proc, int pid, const std::string& command,
             const std::string& maps, const std::string& environ) {
  const auto dir = proc / std::to_string(pid);
  std::filesystem::create_directories(dir);
  write(dir / "stat", std::to_string(pid) + " (" + command +
                          ") S 1 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 777 8192 100");
  write(dir / "comm", command + "\n");
  write(dir / "status", "Name:\t" + command + "\nUid:\t0\t0\t0\t0\n");
  write(dir / "maps", maps);
  write(dir / "environ", environ);
}

std::size_t reports_of(const std::vector<events::Event>& events, std::int64_t pid) {
  std::size_t n = 0;
  for (const auto& e : events)
    for (const auto& a : e.attributes)
      if (a.key == "pid" && std::get<std::int64_t>(a.value) == pid) ++n;
  return n;
}

TEST(TamperWatch, AProcessSeenBeforeItsExecIsJudgedAgainAfterIt) {
  cw::testing::TempDir proc("cw-fake-proc");
  cw::testing::FakeClock clock;
  std::vector<events::Event> events;
  EventRouter router;
  router.add(std::make_unique<KeptEvents>(events));
  TamperWatch watch(clock, "agent-1", proc.path().string());

  process(proc, 4242, "faketime", "55d0 r-xp 00000000 08:01 12 /usr/bin/faketime\n",
          std::string("PATH=/bin\0", 10));
  watch.scan(router);
  EXPECT_EQ(reports_of(events, 4242), 0u) << "faketime itself, before the exec: nothing faked yet";

  const std::string preloaded =
      "7f00 r-xp 00000000 08:01 13 /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1\n";
  process(proc, 4242, "sleep", preloaded, std::string("FAKETIME=+1d\0", 13));
  clock.advance(std::chrono::seconds(1));
  watch.scan(router);
  EXPECT_EQ(reports_of(events, 4242), 1u) << "the same pid and start time, now running sleep";

  clock.advance(std::chrono::seconds(1));
  watch.scan(router);
  EXPECT_EQ(reports_of(events, 4242), 1u) << "reported once while it lives";
}

}  // namespace
}  // namespace cw::apps
