// apps/collector/collector_console.cpp — the collector's console (collector_console.h).
#include "apps/collector/collector_console.h"

#include <filesystem>
#include <stdexcept>

#include "alerts/rules.h"
#include "apps/collector/alerting/alert_api.h"
#include "store/event_store.h"
#include "web/metrics.h"

namespace cw::apps {
namespace {

// Frames a stream client may have queued before it is disconnected as slow. A frame holds one
// commit's events (the writer commits a few hundred times a second at most), so this is seconds
// of backlog; frames are shared between clients, so a queued frame costs a client a pointer.
constexpr std::size_t kStreamQueueFrames = 4096;

}  // namespace

std::unique_ptr<web::Console> make_console(boost::asio::io_context& loop, Clock& clock,
                                           const CollectorCommandOptions& options,
                                           std::function<CollectorSnapshot()> snapshot,
                                           AlertService* alerts) {
  if (options.http.empty()) return nullptr;
  const auto address = web::parse_listen_address(options.http);
  if (!address)
    throw std::runtime_error("--http " + options.http + ": not ADDR:PORT (e.g. 127.0.0.1:8080)");
  web::ConsoleOptions console;
  console.listen.address = address->first;
  console.listen.port = address->second;
  if (options.http_cert.empty() != options.http_key.empty())
    throw std::runtime_error("--http-cert and --http-key go together");
  if (!options.http_cert.empty())
    console.listen.tls = web::TlsFiles{options.http_cert, options.http_key};
  const std::filesystem::path db{options.db};
  console.token_file = options.web_token_file.empty()
                           ? db.parent_path() / "web-token"
                           : std::filesystem::path{options.web_token_file};
  console.metrics_max_agents = options.metrics_max_agents;
  console.listen.max_queued_frames = kStreamQueueFrames;
  console.version = CW_VERSION;
  console.pseudo_agent = alerts::CorrelationConfig{}.collector_id;  // incidents' author
  // Its own read-only connection to the collector's store, whichever engine (SQLite, PostgreSQL).
  auto reads = store::open_store(options.store, {.read_only = true});
  web::CollectorSources sources;
  sources.metrics = [snapshot, alerts](web::PrometheusText& out) {
    if (alerts) alert_metrics(*alerts, out);
    const auto snap = snapshot();
    out.add(values_of(collector_fields(), snap));
    out.histogram("collector_event_store_latency_seconds",
                  "from an event's timestamp to its commit in the store",
                  collector_latency_histogram(snap.out));
  };
  sources.stats = [snapshot] {
    return web::snapshot_json(values_of(collector_fields(), snapshot()));
  };
  if (alerts)
    sources.routes = [alerts](const web::HttpRequest& request, const web::Target& target) {
      return alert_routes(*alerts, request, target);
    };
  const bool shared = reads->shared_by_collectors();
  auto out = std::make_unique<web::Console>(loop, clock, std::move(console), std::move(reads),
                                            std::move(sources));
  // Other collectors write to this store too: the live stream follows the store's commits, on a
  // third connection that only listens (docs/store.md, "Live stream across collectors").
  if (shared) out->follow_store(store::open_store(options.store, {.read_only = true}));
  return out;
}

}  // namespace cw::apps
