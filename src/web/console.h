// web/console.h — the operator's console inside the collector process: the HTTP + WebSocket
// listener, the REST API and the live stream, on one io_context thread of its own, reading the
// store on its own connection (never the writer's). The writer hands over what it newly stored
// with publish(); that costs it a copy and a post, never a wait: when the web thread falls more
// than a bounded number of events behind, hand-overs are dropped and the stream's clients catch up
// from the store instead.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/event_store.h"
#include "web/agent_view.h"
#include "web/api.h"
#include "web/auth.h"
#include "web/http_server.h"
#include "web/metrics.h"
#include "web/stream_hub.h"

namespace cw::web {

struct ConsoleOptions {
  ListenOptions listen;
  std::filesystem::path token_file;
  std::size_t metrics_max_agents = 10000;
  std::size_t max_pending_events = 200000;  // handed over, not yet on the web thread
  std::string version;
  std::string pseudo_agent = "collector";  // the agent id the collector stores incidents under
};

// What the collector adds to /metrics and /api/v1/stats (called on the web thread).
struct CollectorSources {
  std::function<void(PrometheusText&)> metrics;
  std::function<nlohmann::ordered_json()> stats;
  std::function<std::optional<HttpResponse>(const HttpRequest&, const Target&)> routes;  // extra
};

struct ConsoleStats {
  StreamStats stream;
  std::uint64_t http_requests = 0, unauthorized = 0, handover_dropped = 0;
};

class Console {
 public:
  // Reads or creates the token, seeds the agents' state from `reads`, binds the listener.
  // Throws std::runtime_error on any of those failures.
  Console(ConsoleOptions options, std::unique_ptr<store::EventStore> reads,
          CollectorSources sources);
  ~Console();
  void start();  // the web thread
  void stop();   // closes clients and the listener, joins the thread

  std::string url() const;  // http(s)://ADDR:PORT/#token=T
  std::uint16_t port() const;

  // Any thread (the writer's): events newly stored, and agents whose record changed.
  void publish(std::vector<store::StoredEvent> events);
  void agent_changed(std::string agent_id);
  ConsoleStats stats();  // any thread

  // A store other collectors write to as well (PostgreSQL): the live stream then follows the
  // store rather than this writer's hand-overs. Each notification `listener` receives (any
  // collector's commit, web/console_follow.cpp), and each publish() of this writer, wakes the web
  // thread, which reads what was committed after its cursor (read_after: in store order, never
  // past the horizon) and hands it to the stream. Call before start().
  void follow_store(std::unique_ptr<store::EventStore> listener);

 private:
  std::string metrics_text();
  nlohmann::ordered_json stats_json();
  void add_agent_metrics(PrometheusText& out);

  ConsoleOptions options_;
  CollectorSources sources_;
  boost::asio::io_context io_;
  std::unique_ptr<store::EventStore> reads_;
  AgentViews views_;
  TokenAuth auth_;
  StreamHub hub_;
  Api api_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  void take_handover();  // web thread
  std::mutex handover_mutex_;
  std::vector<store::StoredEvent> handover_;  // stored, not yet on the web thread
  Timestamp handover_at_{};                   // when the oldest of them was handed over
  bool handover_posted_ = false;
  std::atomic<bool> dropped_{false};
  std::atomic<std::uint64_t> handover_dropped_{0};

  void wake_follow();  // any thread
  void follow();       // web thread: reads and publishes what was committed after the cursor
  void listen();       // the listener thread
  void start_following();
  void stop_following();
  std::unique_ptr<store::EventStore> listener_;
  std::thread listener_thread_;
  std::atomic<bool> listening_{false}, follow_posted_{false};
  std::int64_t follow_cursor_ = 0;  // web thread
};

// The per-agent series of /metrics (up, last heartbeat, offset, error bound, spool depth), at most
// `max_agents` of them; the rest are counted in chronowatch_collector_metrics_agents_omitted.
void agent_metrics(PrometheusText& out, const std::vector<store::AgentRecord>& agents,
                   const AgentViews& views, std::size_t max_agents);

}  // namespace cw::web
