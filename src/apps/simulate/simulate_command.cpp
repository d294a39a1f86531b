// apps/simulate/simulate_command.cpp — `chronowatch simulate`: N simulated agents in one process,
// each with its own CURVE key pair and ZeroMQ connection, for scale tests and benchmarks. Prints
// what each agent sent and had acknowledged, so a test can check the store holds exactly that.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "apps/collector/collector_runtime.h"
#include "apps/collector/latency_ring.h"
#include "apps/common/commands.h"
#include "apps/common/exit_codes.h"
#include "apps/common/options.h"
#include "apps/common/signals.h"
#include "apps/simulate/simulate_agents.h"
#include "pipeline/failover.h"
#include "platform/heap_tuning.h"

namespace cw::apps {
namespace {

constexpr int kExitUnacknowledged = 3;

double quantile_ms(std::vector<std::int64_t> values, double q) {
  return static_cast<double>(LatencyRing::quantile(values, q)) / 1e6;
}

// The agents' side of an event's latency (SimulatedStages), as percentiles in milliseconds.
nlohmann::json stages_json(const SimulatedStages& stages) {
  return {{"send_wait_p50_ms", quantile_ms(stages.send_wait_ns, 0.50)},
          {"send_wait_p99_ms", quantile_ms(stages.send_wait_ns, 0.99)},
          {"round_trip_p50_ms", quantile_ms(stages.round_trip_ns, 0.50)},
          {"round_trip_p99_ms", quantile_ms(stages.round_trip_ns, 0.99)},
          {"round_trips", stages.round_trip_ns.size()}};
}

void print_result(const SimulateOptions& options, const SimulateResult& result) {
  std::uint64_t sent = 0, acked = 0, failovers = 0;
  for (const auto& agent : result.agents)
    sent += agent.sent, acked += agent.acknowledged, failovers += agent.failovers;
  if (!options.json) {
    std::printf(
        "%zu agents, %.1f s: %llu events sent, %llu acknowledged (%.0f/s)\n", result.agents.size(),
        result.elapsed_seconds, static_cast<unsigned long long>(sent),
        static_cast<unsigned long long>(acked),
        result.elapsed_seconds > 0 ? static_cast<double>(acked) / result.elapsed_seconds : 0.0);
    return;
  }
  nlohmann::json out{{"agents", nlohmann::json::array()},
                     {"total_sent", sent},
                     {"total_acknowledged", acked},
                     {"total_failovers", failovers},
                     {"elapsed_seconds", result.elapsed_seconds},
                     {"keys_created", result.keys_created},
                     {"stages", stages_json(result.stages)}};
  for (const auto& agent : result.agents)
    out["agents"].push_back({{"agent_id", agent.agent_id},
                             {"sent", agent.sent},
                             {"acknowledged", agent.acknowledged},
                             {"first_sequence", agent.first_sequence},
                             {"last_sequence", agent.last_sequence},
                             {"hellos", agent.hellos},
                             {"rewinds", agent.rewinds},
                             {"resends", agent.resends},
                             {"failovers", agent.failovers},
                             {"collector", agent.collector},
                             {"heartbeats", agent.heartbeats},
                             {"stopped", agent.stopped}});
  std::printf("%s\n", out.dump().c_str());
}

// Each agent holds two descriptors (its TCP connection, its socket's mailbox): the usual soft
// limit of 1 024 is raised to the hard one, and too few for --agents is said before connecting.
void raise_open_files_limit(int agents) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  (void)setrlimit(RLIMIT_NOFILE, &limit);
  const auto needed = static_cast<rlim_t>(agents) * 2 + 64;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed)
    spdlog::warn(
        "simulate: {} agents need about {} descriptors, the limit is {}: some will fail to "
        "connect (raise it: ulimit -n, or LimitNOFILE= in a unit)",
        agents, needed, limit.rlim_max);
}

int run_simulate(SimulateOptions options, const std::vector<std::string>& collectors,
                 double failover_after) {
  const auto list = pipeline::split_collectors(collectors);
  options.collector = fmt::format("{}", fmt::join(list, ","));
  options.timing.failover_after =
      std::chrono::milliseconds(static_cast<std::int64_t>(failover_after * 1000));
  platform::keep_freed_heap_memory();
  raise_open_files_limit(options.agents);
  SimulateResult result;
  result.keys_created = ensure_simulated_keys(options);
  if (result.keys_created > 0)
    spdlog::info("simulate: created {} key pairs in {}", result.keys_created, options.keys);
  if (options.duration <= 0) {
    print_result(options, result);
    return kExitOk;
  }
  const auto keys_created = result.keys_created;
  result = run_simulation(options, install_signal_flags().stop);
  result.keys_created = keys_created;
  print_result(options, result);
  for (const auto& agent : result.agents)
    if (!agent.stopped && agent.acknowledged != agent.sent) return kExitUnacknowledged;
  return kExitOk;
}

}  // namespace

void add_simulate_command(CLI::App& app, CommandBody& run) {
  auto options = std::make_shared<SimulateOptions>();
  auto* cmd = app.add_subcommand(
      "simulate",
      "Run N simulated agents in this process against a collector, each with its own CURVE key\n"
      "(created in --keys if missing: `--duration 0` only writes keys; authorize them by\n"
      "pointing the collector's --authorized-keys at that directory). Events are generated at\n"
      "--rate per agent for --duration seconds (rate x duration events each, however loaded the\n"
      "machine), then the agents wait up to --drain seconds for\n"
      "acknowledgements. Exit codes: 0 all acknowledged, 1 failure, 2 usage, 3 some events\n"
      "were not acknowledged in time.");
  cmd->add_option("--agents", options->agents, "number of simulated agents")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--rate", options->rate, "events per second per agent")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--duration", options->duration, "seconds of event generation (0: keys only)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--drain", options->drain, "seconds to wait for acknowledgements afterwards")
      ->capture_default_str()
      ->check(in_range(0, 86400, "seconds"));
  cmd->add_option("--keys", options->keys, "directory of the agents' key pairs (NAME.key/.pub)")
      ->capture_default_str();
  auto collectors =
      std::make_shared<std::vector<std::string>>(std::vector<std::string>{options->collector});
  auto failover_after = std::make_shared<double>(5.0);
  cmd->add_option("--collector", *collectors,
                  "the collector's endpoint; several (repeated, or comma-separated, sharing one "
                  "key pair and one store): each agent starts at hash(id) mod N and fails over "
                  "to the next when unanswered")
      ->capture_default_str()
      ->take_all();
  cmd->add_option("--failover-after", *failover_after,
                  "seconds without an answer before an agent moves to the next collector")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--collector-key", options->collector_key,
                  "the collector's public key file (.pub)");
  cmd->add_option("--prefix", options->prefix, "agent ids are PREFIX-0001, PREFIX-0002, ...")
      ->capture_default_str();
  cmd->add_option("--batch", options->batch, "most events per batch")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  cmd->add_option("--window", options->window, "batches in flight per agent")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_option("--heartbeat-interval", options->heartbeat_interval,
                  "seconds between each agent's heartbeat events, as a real agent sends them "
                  "(0: none); agents' first ones are spread over one interval")
      ->capture_default_str()
      ->check(in_range(0, 86400, "seconds"));
  cmd->add_option("--stop-agents", options->stop_agents,
                  "stop the last N agents at --stop-at, as if killed (no agent_stop; what they "
                  "had not had acknowledged is lost and not counted against the exit code)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--stop-at", options->stop_at, "seconds into the run to stop --stop-agents")
      ->capture_default_str()
      ->check(in_range(0, 86400, "seconds"));
  cmd->add_option("--source", options->sources,
                  "source addresses to connect from, agent i from the i-th (round robin; "
                  "repeated or comma-separated, e.g. 127.0.0.2,127.0.0.3): one address runs out "
                  "of ephemeral ports at ~28 000 connections to one collector")
      ->delimiter(',')
      ->check(CLI::ValidIPV4);
  cmd->add_option("--io-threads", options->io_threads,
                  "ZeroMQ I/O threads: CURVE, and the connections' timers (libzmq cancels a "
                  "timer by walking all of its thread's, once per message with heartbeats on); "
                  "0: one per 2 500 agents")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  cmd->add_option("--partial-window", options->partial_window,
                  "a batch smaller than --batch waits while this many are in flight (1: until "
                  "the one in flight is acknowledged)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_flag("--json", options->json, "print per-agent results as one JSON object");
  cmd->callback([options, collectors, failover_after, &run, cmd] {
    if (options->stop_agents > options->agents)
      throw_usage(*cmd, "--stop-agents", "at most --agents agents can be stopped");
    if (options->duration > 0 && options->collector_key.empty())
      throw_usage(*cmd, "--collector-key", "the collector's public key F.pub is needed to connect");
    run = [options, collectors, failover_after] {
      return run_simulate(*options, *collectors, *failover_after);
    };
  });
}

}  // namespace cw::apps
