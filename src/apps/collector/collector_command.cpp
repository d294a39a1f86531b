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
#include "store/event_store.h"

namespace cw::apps {
namespace {

int run_collector(CollectorCommandOptions options) {
  options.store = store::store_url(options.store, options.db);
  try {
    return run_collector_until_stopped(options);
  } catch (const std::invalid_argument& error) {  // flags or alert rules that do not fit
    std::fprintf(stderr, "chronowatch collector: %s\n", error.what());
    return kExitUsage;
  }
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
  cmd->add_option("--store", options->store,
                  "event store URL: sqlite:PATH or postgresql://[user@]host/db "
                  "(libpq keywords and PG* variables accepted); docs/store.md")
      ->envname("CW_STORE");
  cmd->add_option("--db", options->db,
                  "SQLite file, short for --store sqlite:PATH (default $CW_DATA_DIR/events.db "
                  "or /var/lib/chronowatch/events.db)")
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
  cmd->add_option("--io-threads", options->io_threads,
                  "ZeroMQ I/O threads: the agents' connections are split over them (CURVE and TCP "
                  "work; every batch and acknowledgement passes one)")
      ->capture_default_str()
      ->check(in_range(1, 16, "threads", true));
  cmd->add_option("--queue-events", options->queue_events,
                  "events received but not yet stored before back-pressure")
      ->capture_default_str()
      ->check(in_range(1, 1e9, "events", true));
  cmd->add_flag("--json", options->json, "report counters as JSON lines on stdout");
  cmd->add_option("--http", options->http,
                  "serve the console (dashboard, REST API, live stream, /metrics) on ADDR:PORT, "
                  "e.g. 127.0.0.1:8080 (off when not given; docs/api.md)")
      ->envname("CW_HTTP");
  cmd->add_option("--http-cert", options->http_cert, "TLS certificate chain (PEM) for --http")
      ->envname("CW_HTTP_CERT");
  cmd->add_option("--http-key", options->http_key, "TLS private key (PEM) for --http")
      ->envname("CW_HTTP_KEY");
  cmd->add_option("--web-token-file", options->web_token_file,
                  "the console's bearer token (created, mode 0600, when missing; default "
                  "web-token beside the database)")
      ->envname("CW_WEB_TOKEN_FILE");
  cmd->add_option("--metrics-max-agents", options->metrics_max_agents,
                  "at most this many agents' series in /metrics (the rest are counted)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--retention-raw", options->retention_raw_days,
                  "days events stay raw rows (daily partitions on PostgreSQL); older ones are "
                  "rolled into compressed per-agent, per-hour blocks, still read by events, "
                  "replay and the API; heartbeats are dropped then (docs/store.md)")
      ->capture_default_str()
      ->envname("CW_COLLECTOR_RETENTION_RAW")
      ->check(in_range(1, 36500, "days"));
  cmd->add_option("--retention-warm", options->retention_warm_days,
                  "days (from now, more than --retention-raw) events stay in the store; older "
                  "blocks are exported to --archive-dir and dropped")
      ->capture_default_str()
      ->envname("CW_COLLECTOR_RETENTION_WARM")
      ->check(in_range(1, 36500, "days"));
  cmd->add_option(
         "--archive-dir", options->archive_dir,
         "where blocks past --retention-warm go, one file per day (default: archive/ "
         "beside a SQLite file, else $CW_DATA_DIR/archive or /var/lib/chronowatch/archive)")
      ->envname("CW_COLLECTOR_ARCHIVE_DIR");
  add_alert_options(*cmd, options->alerts);
  cmd->callback([options, &run, &app] {
    // The retention days together, while parsing: exit 2, main naming the flag's places.
    if (const auto problem = store::check_policy(retention_policy(*options)); !problem.empty())
      throw CLI::ValidationError(problem);
    if (const auto* config = app.get_config_ptr(); config && config->count() > 0)
      options->alerts.config_file = config->as<std::string>();
    run = [options] { return run_collector(*options); };
  });
}

}  // namespace cw::apps
