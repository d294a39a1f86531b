// apps/collector/collector_runtime.cpp — wires the collector together and reports its counters.
#include "apps/collector/collector_runtime.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "apps/collector/alerting/alerting_store.h"
#include "apps/collector/collector_console.h"
#include "apps/collector/collector_loop.h"
#include "apps/collector/collector_retention.h"
#include "apps/collector/collector_snapshot.h"
#include "apps/collector/collector_writer.h"
#include "apps/common/daemon_start.h"
#include "apps/common/exit_codes.h"
#include "apps/common/signals.h"
#include "platform/heap_tuning.h"
#include "platform/sysinfo.h"
#include "platform/system_clock.h"
#include "store/event_store.h"
#include "transport/zmq/event_codec_binding.h"
#include "transport/zmq/zap_handler.h"
#include "transport/zmq/zmq_collector.h"
#include "web/metrics.h"

namespace cw::apps {
namespace {

CollectorSnapshot snapshot(const transport::ZmqCollector& collector, const CollectorWriter& writer,
                           const transport::ZapHandler& zap, const transport::IngestQueue& queue,
                           double uptime) {
  return {collector.stats(),   writer.stats(), zap.stats(),
          queue.size_events(), uptime,         platform::sample_process().rss_bytes};
}

void print(const CollectorSnapshot& snap, bool json, nlohmann::ordered_json alerts) {
  const auto values = values_of(collector_fields(), snap);
  if (json) {
    auto out = web::snapshot_json(values);
    out["alerts"] = std::move(alerts);
    std::printf("%s\n", out.dump().c_str());
    std::fflush(stdout);
    return;
  }
  spdlog::info("collector: {}", web::snapshot_log_line(values, collector_log_keys()));
}

std::map<std::string, std::uint64_t> stored_sequences(store::EventStore& store) {
  std::map<std::string, std::uint64_t> next;
  for (const auto& agent : store.agents())
    if (agent.last_sequence > 0) next[agent.identity.agent_id] = agent.last_sequence + 1;
  return next;
}

}  // namespace

store::RetentionPolicy retention_policy(const CollectorCommandOptions& options) {
  const auto days = [](double d) {
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(d * 86400));
  };
  return {.raw = days(options.retention_raw_days), .warm = days(options.retention_warm_days)};
}

int run_collector_until_stopped(const CollectorCommandOptions& options) {
  platform::keep_freed_heap_memory();
  auto& signals = install_signal_flags();
  DaemonStart daemon;
  platform::SystemClock clock;
  CollectorLoop loop;  // the console and the signals' and report's timer (collector_loop.h)
  const auto server_key = transport::read_secret_key_file(options.key);
  // The writer thread's, once started.
  const auto opened = store::open_store(
      options.store, {.checkpoint_thread = true, .clock = &clock, .defer_agent_tallies = true});
  auto& store = *opened;
  zmq::context_t context(options.io_threads);
  transport::ZapHandler zap(context, options.authorized_keys, clock);  // before any CURVE socket
  transport::IngestQueue queue(options.queue_events);
  auto alert_options = alert_service_options(options.alerts, options.db);
  alert_options.state_store = options.store;  // its own connection (alert_state_store.h)
  alert_options.state_listen = options.listen;
  AlertService alerts(std::move(alert_options), queue, store.agents(), clock);
  AlertingEventStore alerting_store(store, alerts);  // the writer's: tells alerts what it stored
  transport::CollectorOptions ingest{options.listen, server_key, {}};
  ingest.shared_store = store.shared_by_collectors();
  ingest.may_claim = [&zap](const std::string& key, const std::string& agent) {
    return zap.may_claim(key, agent);
  };
  transport::ZmqCollector collector(context, std::move(ingest), transport::binary_collector_codec(),
                                    queue, clock);
  collector.seed(stored_sequences(store));
  CollectorWriter writer(
      alerting_store, queue,
      [&collector](const auto& agents_next, bool stored) {
        stored ? collector.committed(agents_next) : collector.failed(agents_next);
      },
      make_liveness_hooks(options, store, clock), clock);
  writer.on_idle([&alerting_store] { alerting_store.idle(); });
  if (store.shared_by_collectors())
    writer.on_hello_recorded([&collector](const std::string& agent, std::uint64_t stored_next) {
      collector.hello_recorded(agent, stored_next);
    });
  const auto started = clock.monotonic_now();
  const auto uptime = [&] { return to_seconds(clock.monotonic_now() - started); };
  auto console = make_console(
      loop.io(), clock, options, [&] { return snapshot(collector, writer, zap, queue, uptime()); },
      &alerts);
  if (console) {
    writer.set_hooks({[&console](std::vector<store::StoredEvent> stored) {
                        console->publish(std::move(stored));
                      },
                      [&console](const std::string& agent) { console->agent_changed(agent); }});
  }
  RetentionRunner retention(
      {options.store, retention_policy(options),
       options.archive_dir.empty() ? default_archive_dir(options.store)
                                   : std::filesystem::path{options.archive_dir}},
      clock);
  writer.start();
  retention.start();
  alerts.start();
  collector.start();
  if (console) {
    console->start();
    spdlog::info("collector: console at {}", console->url());
  }
  spdlog::info("collector: listening on {} (key {}), storing into {}", collector.endpoint(),
               server_key.public_key, store::describe_store(options.store));
  daemon.started("listening on " + collector.endpoint(), std::nullopt);
  auto last_report = started;
  loop.run(
      [&] {
        if (signals.stop) return false;
        if (signals.reload.exchange(false)) {
          spdlog::info("collector: SIGHUP: re-reading {}", options.authorized_keys);
          zap.request_reload();
          alerts.request_reload();
        }
        const auto now = clock.monotonic_now();
        if (options.stats_interval > 0 &&
            now - last_report >= std::chrono::duration<double>(options.stats_interval)) {
          last_report = now;
          print(snapshot(collector, writer, zap, queue, uptime()), options.json, alerts.stats());
        }
        return true;
      },
      std::chrono::milliseconds(100));
  daemon.stopping();
  spdlog::info("collector: stopping: storing what was received");
  retention.stop();
  collector.stop();
  alerts.drain(std::chrono::seconds(5));  // its incidents go into the queue before it closes
  queue.close();
  writer.join();
  alerts.stop();  // evaluates what the writer stored last (notifications wait in the outbox)
  if (console) {  // the stream's clients get what the writer stored last, then a close frame
    console->stop();
    loop.finish(std::chrono::milliseconds(50));
  }
  print(snapshot(collector, writer, zap, queue, uptime()), options.json, alerts.stats());
  return kExitOk;
}

}  // namespace cw::apps
