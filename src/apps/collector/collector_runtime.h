// apps/collector/collector_runtime.h — the collector's object graph: ZAP handler, ingest thread
// (ZeroMQ), writer thread (SQLite), liveness, counters; runs until SIGTERM/SIGINT.
#pragma once

#include <string>

#include "apps/collector/alerting/alert_options.h"
#include "core/clock.h"
#include "store/retention.h"

namespace cw::apps {

struct CollectorCommandOptions {
  std::string listen = "tcp://0.0.0.0:5555";  // seed 002's port
  std::string store;                          // a URL (open_store)
  std::string db;                             // a SQLite path, short for --store sqlite:PATH
  std::string key;
  std::string authorized_keys;
  CollectorAlertOptions alerts;    // --alert-* (alerting/alert_options.h)
  double heartbeat_interval = 30;  // seed 002: heartbeat_interval
  double liveness_grace = 10;
  double stats_interval = 10;
  int io_threads = 1;  // ZeroMQ I/O threads: the agents' connections split over them (CURVE, TCP)
  std::size_t queue_events = 200000;
  bool json = false;
  // The console (src/web): off unless --http is given.
  std::string http;  // ADDR:PORT
  std::string http_cert, http_key;
  std::string web_token_file;  // default: web-token beside the database
  std::size_t metrics_max_agents = 10000;
  // Retention tiers (store/retention.h, docs/store.md): days raw, days in the store in all.
  double retention_raw_days = 14;
  double retention_warm_days = 365;
  std::string archive_dir;  // default: collector_retention.h default_archive_dir
};

}  // namespace cw::apps

namespace cw::store {
class EventStore;
}

namespace cw::apps {

struct LivenessHooks;
// detect::LivenessTracker behind the writer's hooks, restored from the store, heard events timed
// by `clock` (collector_liveness.cpp).
LivenessHooks make_liveness_hooks(const CollectorCommandOptions& options, store::EventStore& store,
                                  Clock& clock);

int run_collector_until_stopped(const CollectorCommandOptions& options);
store::RetentionPolicy retention_policy(const CollectorCommandOptions& options);

}  // namespace cw::apps
