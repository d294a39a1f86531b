// apps/history/replay_command.cpp — `chronowatch replay`: stored events again in their original
// order (timestamp, agent, sequence) and pacing scaled by --speed (seed 002's "time travel"),
// printed as a table or JSON lines, or sent to another collector as their agents
// (apps/replay_sender.h). The iteration and pacing are store/replay.h.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "apps/common/commands.h"
#include "apps/common/exit_codes.h"
#include "apps/common/options.h"
#include "apps/common/signals.h"
#include "apps/history/event_cli.h"
#include "apps/history/replay_sender.h"
#include "events/json_codec.h"
#include "platform/system_clock.h"
#include "store/event_store.h"
#include "store/replay.h"

namespace cw::apps {
namespace {

struct ReplayFlags {
  std::string store, db;
  std::string from;
  std::vector<std::string> to;  // a time, and/or an endpoint (tcp://, ipc://): issue 5's syntax
  std::string until;
  std::string endpoint;
  std::string key;            // --to tcp://: the replayer's CURVE secret key
  std::string collector_key;  // --to tcp://: the receiving collector's public key
  double drain = 30;
  double speed = 1.0;
  bool json = false;
  Timestamp from_time, until_time;  // resolved while parsing (resolve())
};

constexpr int kExitUnacknowledged = 3;

constexpr const char* kFooter =
    R"(--to takes the end time, or an endpoint when it starts with tcp:// or ipc://; both may be
given (--to 1h --to tcp://collector:5555; --until T is the same as a time --to). Several endpoints
(--to tcp://a:5555 --to tcp://b:5555, or comma-separated) are collectors sharing one store: each
agent starts at hash(id) mod N and fails over to the next when unanswered. --speed 2 replays twice
as fast, --speed 0 without waiting. Times: "now", "30m", "1h", "7d" ago, or ISO 8601
("2025-11-29T17:05:01Z").

Without an endpoint, events are printed (a table, or JSON lines with --json). With an endpoint,
they are sent to that collector as the agents that made them: one CURVE connection per agent, its
identity and original sequence numbers, acknowledged batches (docs/pipeline.md). The receiving
collector must authorize --key's public key for those agent ids (a .pub whose `agents:` line
says `*`, see docs/pipeline.md); it stores each (agent, sequence) once, so replaying twice adds
nothing. agent_down/agent_up made by this collector are not sent. A summary goes to stdout (JSON
with --json) when every event is acknowledged or --drain seconds after the last one was due.

Exit status:
  0  the replay finished (with an endpoint: every event sent was acknowledged)
  1  the database cannot be opened or read, or a key file cannot be read
  2  usage error (a time that does not parse, no --from, a negative speed, an endpoint without
     --key and --collector-key)
  3  with an endpoint: some events were not acknowledged within --drain seconds

Examples:
  chronowatch replay --from 2025-11-29T17:00Z --to 2025-11-29T18:00Z --speed 60 --json
  chronowatch replay --from 2h --to 1h --speed 0
  chronowatch replay --from 2h --to 1h --to tcp://lab-collector:5555 --speed 10 \
      --key keys/replay.key --collector-key keys/lab-collector.pub --json
See docs/store.md and docs/pipeline.md.)";

bool is_endpoint(const std::string& text) {
  return text.starts_with("tcp://") || text.starts_with("ipc://") || text.starts_with("inproc://");
}

void print_summary(const ReplaySendResult& result, bool json) {
  std::uint64_t sent = 0, acked = 0;
  for (const auto& agent : result.agents) sent += agent.sent, acked += agent.acknowledged;
  if (!json) {
    std::printf(
        "%zu agents, %.1f s: %llu events sent, %llu acknowledged, %llu collector-made "
        "events not sent\n",
        result.agents.size(), result.elapsed_seconds, static_cast<unsigned long long>(sent),
        static_cast<unsigned long long>(acked),
        static_cast<unsigned long long>(result.collector_made));
    return;
  }
  nlohmann::json out{{"agents", nlohmann::json::array()},
                     {"total_sent", sent},
                     {"total_acknowledged", acked},
                     {"collector_made", result.collector_made},
                     {"elapsed_seconds", result.elapsed_seconds}};
  for (const auto& a : result.agents)
    out["agents"].push_back({{"agent_id", a.agent_id},
                             {"sent", a.sent},
                             {"acknowledged", a.acknowledged},
                             {"first_sequence", a.first_sequence},
                             {"last_sequence", a.last_sequence},
                             {"out_of_order", a.out_of_order},
                             {"already_held", a.already_held}});
  std::printf("%s\n", out.dump().c_str());
}

int send_to_endpoint(const ReplayFlags& f, store::EventStore& store, Timestamp from,
                     Timestamp until) {
  ReplaySendOptions options{f.endpoint, f.key, f.collector_key, f.speed, f.drain};
  platform::SystemClock clock;
  const auto result = send_replay(store, from, until, options, install_signal_flags().stop, clock);
  print_summary(result, f.json);
  return result.complete() ? kExitOk : kExitUnacknowledged;
}

// From the parse callback: times, speed and what an endpoint needs, checked (exit 2, naming the
// flag, its variable and its key) and resolved.
void resolve(ReplayFlags& f, const CLI::App& cmd) {
  for (const auto& to : f.to) {  // several endpoints (repeated or comma-separated): failover
    if (!is_endpoint(to))
      f.until = to;
    else
      f.endpoint += (f.endpoint.empty() ? "" : ",") + to;
  }
  const auto now = platform::SystemClock{}.now();
  const auto from = parse_time_arg(f.from, now);
  if (!from)
    throw_usage(cmd, "--from",
                "cannot read \"" + f.from + "\" as a time (try 1h or 2025-11-29T17:05Z)");
  const auto until = f.until.empty() ? std::optional{now} : parse_time_arg(f.until, now);
  if (!until) throw_usage(cmd, "--to", "cannot read \"" + f.until + "\" as a time");
  if (!f.endpoint.empty() && (f.key.empty() || f.collector_key.empty()))
    throw_usage(cmd, f.key.empty() ? "--key" : "--collector-key",
                "sending to " + f.endpoint + " needs --key F.key and --collector-key F.pub");
  f.from_time = *from;
  f.until_time = *until;
}

int run_replay(const ReplayFlags& f) {
  const auto from = std::optional{f.from_time};
  const auto until = std::optional{f.until_time};
  const auto opened = store::open_store(resolved_store_url(f.store, f.db), {.read_only = true});
  auto& store = *opened;
  if (!f.endpoint.empty()) return send_to_endpoint(f, store, *from, *until);
  platform::SystemClock clock;
  const auto start = clock.monotonic_now();
  store::ReplayHooks hooks{
      .wait_until =
          [&](Duration due) {
            std::this_thread::sleep_for(std::max(start + due - clock.monotonic_now(), Duration{}));
          },
      .emit =
          [&](const events::Event& event) {
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
  auto* cmd =
      app.add_subcommand("replay", "Replay stored events in their original order and pacing");
  cmd->footer(kFooter);
  add_store_options(*cmd, flags->store, flags->db);
  cmd->add_option("--from", flags->from, "start time (inclusive), e.g. 2h or 2025-11-29T17:00Z")
      ->required();
  cmd->add_option("--to", flags->to, "end time (exclusive; default now), or tcp://ENDPOINT")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--speed", flags->speed, "pacing factor: 2 = twice as fast, 0 = no waiting")
      ->capture_default_str()
      ->check(in_range(0, 1e9, "times real time"));
  cmd->add_option("--until", flags->until,
                  "end time (exclusive), the same as a time given to --to");
  cmd->add_option("--key", flags->key,
                  "with an endpoint: this replayer's CURVE secret key (NAME.key)");
  cmd->add_option("--collector-key", flags->collector_key,
                  "with an endpoint: the receiving collector's public key (NAME.pub)");
  cmd->add_option("--drain", flags->drain,
                  "with an endpoint: seconds to wait for acknowledgements after the last event")
      ->capture_default_str()
      ->check(in_range(0, 86400, "seconds"));
  cmd->add_flag("--json", flags->json,
                "one JSON object per event per line (with an endpoint: the summary as JSON)");
  cmd->callback([flags, &run, cmd] {
    resolve(*flags, *cmd);
    run = [flags] { return run_replay(*flags); };
  });
}

}  // namespace cw::apps
