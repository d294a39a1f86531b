// apps/collector/collector_command.cpp — `chronowatch collector`: receives agents' events over
// ZeroMQ with CURVE (only keys in --authorized-keys), stores them exactly once in SQLite,
// acknowledges them, tracks liveness, and reports counters (a log line, or JSON lines with --json)
// until SIGTERM.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "apps/collector/collector_runtime.h"
#include "apps/common/commands.h"
#include "apps/common/exit_codes.h"
#include "apps/common/options.h"
#include "store/sqlite_store.h"

namespace cw::apps {
namespace {

int run_collector(CollectorCommandOptions options) {
  if (options.db.empty()) options.db = store::default_database_path().string();
  return run_collector_until_stopped(options);
}

}  // namespace

void add_collector_command(CLI::App& app, CommandBody& run) {
  auto options = std::make_shared<CollectorCommandOptions>();
  auto* cmd = app.add_subcommand(
      "collector",
      "Receive events from agents over ZeroMQ (CURVE-encrypted; only agents whose public key is\n"
      "a *.pub file in --authorized-keys may connect; the directory is re-read on SIGHUP and\n"
      "when it changes), store each (agent, sequence) exactly once, acknowledge what is stored,\n"
      "and raise agent_down/agent_up when heartbeats stop/return. Create keys with `chronowatch\n"
      "keygen`. SIGTERM/SIGINT stop it after storing what was received. Protocol and loss\n"
      "policy: docs/pipeline.md. Exit codes: 0 stopped by a signal, 1 failure (bind, store,\n"
      "keys), 2 usage.");
  CommandOptions o(*cmd);  // CW_COLLECTOR_<OPTION>, YAML collector.<option>
  cmd->add_option("--listen", options->listen, "ZeroMQ endpoint to bind")
      ->capture_default_str()
      ->envname("CW_COLLECTOR_LISTEN");
  cmd->add_option("--db", options->db,
                  "SQLite file (default $CW_DATA_DIR/events.db or /var/lib/chronowatch/events.db)")
      ->envname("CW_DB");
  cmd->add_option("--key", options->key, "the collector's secret key file (NAME.key)")
      ->required()
      ->envname("CW_COLLECTOR_KEY");
  o.add("--authorized-keys", options->authorized_keys, "directory of agents' public keys (*.pub)")
      .required()
      .old_env("CW_AUTHORIZED_KEYS");
  cmd->add_option("--heartbeat-interval", options->heartbeat_interval,
                  "agents' heartbeat interval in seconds (liveness: down after 2 missed + grace)")
      ->capture_default_str()
      ->check(in_range(0.1, 86400, "seconds"));
  cmd->add_option("--liveness-grace", options->liveness_grace, "seconds of grace")
      ->capture_default_str()
      ->check(in_range(0, 86400, "seconds"));
  cmd->add_option("--stats-interval", options->stats_interval,
                  "seconds between counter reports (0: only at exit)")
      ->capture_default_str()
      ->check(in_range(0, 86400, "seconds"));
  cmd->add_option("--io-threads", options->io_threads, "ZeroMQ I/O threads (CURVE work)")
      ->capture_default_str()
      ->check(in_range(1, 16, "threads", true));
  cmd->add_option("--queue-events", options->queue_events,
                  "events received but not yet stored before back-pressure")
      ->capture_default_str()
      ->check(in_range(1, 1e9, "events", true));
  cmd->add_flag("--json", options->json, "report counters as JSON lines on stdout");
  cmd->callback([options, &run] { run = [options] { return run_collector(*options); }; });
}

}  // namespace cw::apps
