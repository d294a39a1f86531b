// apps/collector/collector_runtime.cpp — wires the collector together and reports its counters.
#include "apps/collector/collector_runtime.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>
#include <zmq.hpp>

#include "apps/collector/collector_writer.h"
#include "apps/common/exit_codes.h"
#include "apps/common/signals.h"
#include "platform/heap_tuning.h"
#include "platform/sysinfo.h"
#include "store/event_store.h"
#include "transport/zmq/event_codec_binding.h"
#include "transport/zmq/zap_handler.h"
#include "transport/zmq/zmq_collector.h"

namespace cw::apps {
namespace {

nlohmann::ordered_json report(const transport::IngestStats& in, const WriterStats& out,
                              const transport::ZapStats& zap, std::size_t queued, double uptime) {
  return {{"uptime_s", uptime},
          {"connections", in.connections},
          {"agents", in.agents},
          {"hellos", in.hellos},
          {"batches", in.batches},
          {"events_accepted", in.events_accepted},
          {"events_stored", out.events_stored},
          {"events_duplicate", in.ledger.duplicates + out.events_duplicate},
          {"events_lost_by_agents", in.ledger.agent_lost},
          {"events_queued", queued},
          {"transactions", out.transactions},
          {"store_failures", out.store_failures},
          {"acks_sent", in.acks_sent},
          {"rewinds", in.ledger.rewinds},
          {"hello_required", in.hello_required},
          {"malformed_frames", in.malformed_frames},
          {"claims_refused", in.claims_refused},
          {"send_failures", in.send_failures},
          {"zap_accepted", zap.accepted},
          {"zap_refused", zap.refused},
          {"authorized_keys", zap.authorized_keys},
          {"liveness_events", out.liveness_events},
          {"liveness_leader", out.liveness_leader},
          {"agents_taken_over", in.ledger.taken_over},
          {"latency_p50_ms", static_cast<double>(out.latency_p50_ns) / 1e6},
          {"latency_p99_ms", static_cast<double>(out.latency_p99_ns) / 1e6},
          {"rss_bytes", platform::sample_process().rss_bytes}};
}

void print(const nlohmann::ordered_json& stats, bool json) {
  if (json) {
    std::printf("%s\n", stats.dump().c_str());
    std::fflush(stdout);
    return;
  }
  spdlog::info(
      "collector: {} connections, {} stored, {} duplicate, {} malformed, {} refused keys, "
      "p50 {:.1f} ms, p99 {:.1f} ms",
      stats["connections"].get<std::uint64_t>(), stats["events_stored"].get<std::uint64_t>(),
      stats["events_duplicate"].get<std::uint64_t>(),
      stats["malformed_frames"].get<std::uint64_t>(), stats["zap_refused"].get<std::uint64_t>(),
      stats["latency_p50_ms"].get<double>(), stats["latency_p99_ms"].get<double>());
}

std::map<std::string, std::uint64_t> stored_sequences(store::EventStore& store) {
  std::map<std::string, std::uint64_t> next;
  for (const auto& agent : store.agents())
    if (agent.last_sequence > 0) next[agent.identity.agent_id] = agent.last_sequence + 1;
  return next;
}

}  // namespace

int run_collector_until_stopped(const CollectorCommandOptions& options) {
  platform::keep_freed_heap_memory();
  auto& signals = install_signal_flags();
  const auto server_key = transport::read_secret_key_file(options.key);
  const auto opened = store::open_store(options.store);  // the writer thread's, once started
  auto& store = *opened;
  zmq::context_t context(options.io_threads);
  transport::ZapHandler zap(context, options.authorized_keys);  // before any CURVE socket
  transport::IngestQueue queue(options.queue_events);
  transport::CollectorOptions ingest{options.listen, server_key, {}};
  ingest.shared_store = store.shared_by_collectors();
  ingest.may_claim = [&zap](const std::string& key, const std::string& agent) {
    return zap.may_claim(key, agent);
  };
  transport::ZmqCollector collector(context, std::move(ingest), transport::binary_collector_codec(),
                                    queue);
  collector.seed(stored_sequences(store));
  CollectorWriter writer(
      store, queue,
      [&collector](const auto& agents_next, bool stored) {
        stored ? collector.committed(agents_next) : collector.failed(agents_next);
      },
      make_liveness_hooks(options, store));
  if (store.shared_by_collectors())
    writer.on_hello_recorded([&collector](const std::string& agent, std::uint64_t stored_next) {
      collector.hello_recorded(agent, stored_next);
    });
  writer.start();
  collector.start();
  spdlog::info("collector: listening on {} (key {}), storing into {}", collector.endpoint(),
               server_key.public_key, store::describe_store(options.store));
  const auto started = std::chrono::steady_clock::now();
  auto last_report = started;
  const auto uptime = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  while (!signals.stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (signals.reload.exchange(false)) {
      spdlog::info("collector: SIGHUP: re-reading {}", options.authorized_keys);
      zap.request_reload();
    }
    const auto now = std::chrono::steady_clock::now();
    if (options.stats_interval > 0 &&
        now - last_report >= std::chrono::duration<double>(options.stats_interval)) {
      last_report = now;
      print(report(collector.stats(), writer.stats(), zap.stats(), queue.size_events(), uptime()),
            options.json);
    }
  }
  spdlog::info("collector: stopping: storing what was received");
  collector.stop();
  queue.close();
  writer.join();
  print(report(collector.stats(), writer.stats(), zap.stats(), queue.size_events(), uptime()),
        options.json);
  return kExitOk;
}

}  // namespace cw::apps
