// apps/replay_command.cpp — `chronowatch replay`: stored events again in their original order
// (timestamp, agent, sequence) and pacing scaled by --speed (seed 002's "time travel"), printed
// as a table or JSON lines. The iteration and pacing are store/replay.h, reusable by a sender.
#include <fmt/format.h>

#include <cstdio>
#include <thread>

#include "apps/commands.h"
#include "apps/event_cli.h"
#include "apps/exit_codes.h"
#include "events/json_codec.h"
#include "platform/system_clock.h"
#include "store/replay.h"
#include "store/sqlite_store.h"

namespace cw::apps {
namespace {

struct ReplayFlags {
  std::string db;
  std::string from;
  std::vector<std::string> to;  // a time, and/or an endpoint (tcp://, ipc://): issue 5's syntax
  std::string until;
  std::string endpoint;
  double speed = 1.0;
  bool json = false;
};

constexpr const char* kFooter = R"(--to takes the end time, or an endpoint when it starts with tcp:// or ipc://
(both may be given: --to 1h --to tcp://collector:5555). --speed 2 replays twice as fast, --speed 0
without waiting. Times: "now", "30m", "1h", "7d" ago, or ISO 8601 ("2025-11-29T17:05:01Z").

Exit status:
  0  the replay finished
  1  the database cannot be opened or read
  2  usage error (a time that does not parse, no --from, a negative speed, an endpoint: sending
     a replay over ZeroMQ is not in this build yet)

Examples:
  chronowatch replay --from 2025-11-29T17:00Z --to 2025-11-29T18:00Z --speed 60 --json
  chronowatch replay --from 2h --to 1h --speed 0
See docs/store.md.)";

int usage(const std::string& message) {
  std::fprintf(stderr, "chronowatch replay: %s\n", message.c_str());
  return kExitUsage;
}

bool is_endpoint(const std::string& text) {
  return text.starts_with("tcp://") || text.starts_with("ipc://") || text.starts_with("inproc://");
}

int run_replay(ReplayFlags f) {
  for (const auto& to : f.to) (is_endpoint(to) ? f.endpoint : f.until) = to;
  const auto now = platform::SystemClock{}.now();
  const auto from = parse_time_arg(f.from, now);
  if (!from) return usage("--from: cannot read \"" + f.from + "\" as a time (try 1h or 2025-11-29T17:05Z)");
  const auto until = f.until.empty() ? std::optional{now} : parse_time_arg(f.until, now);
  if (!until) return usage("--to: cannot read \"" + f.until + "\" as a time");
  if (f.speed < 0) return usage("--speed must be 0 (no waiting) or more");
  if (!f.endpoint.empty())
    return usage("sending a replay to " + f.endpoint + " is not in this build yet; use --json");
  store::SqliteEventStore store{resolved_db_path(f.db), {.read_only = true}};
  const auto start = std::chrono::steady_clock::now();
  store::ReplayHooks hooks{
      .wait_until = [&](Duration due) { std::this_thread::sleep_until(start + due); },
      .emit = [&](const events::Event& event) {
        const auto line = f.json ? events::encode_json(event) : event_line(event);
        std::fputs((line + "\n").c_str(), stdout);
        std::fflush(stdout);
        return true;
      }};
  const auto count = store::replay(store, *from, *until, f.speed, hooks);
  std::fprintf(stderr, "chronowatch replay: %zu events replayed\n", count);
  return kExitOk;
}

}  // namespace

void add_replay_command(CLI::App& app, CommandBody& run) {
  auto flags = std::make_shared<ReplayFlags>();
  auto* cmd = app.add_subcommand("replay", "Replay stored events in their original order and pacing");
  cmd->footer(kFooter);
  add_db_option(*cmd, flags->db);
  cmd->add_option("--from", flags->from, "start time (inclusive), e.g. 2h or 2025-11-29T17:00Z")
      ->required();
  cmd->add_option("--to", flags->to, "end time (exclusive; default now), or tcp://ENDPOINT")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--speed", flags->speed, "pacing factor: 2 = twice as fast, 0 = no waiting")
      ->capture_default_str();
  cmd->add_flag("--json", flags->json, "one JSON object per event per line");
  cmd->callback([flags, &run] { run = [flags] { return run_replay(*flags); }; });
}

}  // namespace cw::apps
