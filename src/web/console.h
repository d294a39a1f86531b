// web/console.h — the operator's console inside the collector process: the HTTP + WebSocket
// listener, the REST API and the live stream, on an io_context the caller runs (the collector's
// one event loop), reading the store on its own connection (never the writer's). The writer hands
// over what it newly stored with publish(); that costs it a copy and a post, never a wait: when
// the loop falls more than a bounded number of events behind, hand-overs are dropped and the
// stream's clients catch up from the store instead.
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
  std::size_t max_pending_events = 200000;  // handed over, not yet on the loop's thread
  std::string version;
  std::string pseudo_agent = "collector";  // the agent id the collector stores incidents under
};

// What the collector adds to /metrics and /api/v1/stats (called on the loop's thread).
struct CollectorSources {
  std::function<void(PrometheusText&)> metrics;
  std::function<nlohmann::ordered_json()> stats;
  std::function<std::optional<HttpResponse>(const HttpRequest&, const Target&)> routes;  // extra
};

class Console {
 public:
  // Reads or creates the token, seeds the agents' state from `reads`, binds the listener; it
  // accepts once `loop` runs, and everything of the console but its store listener
  // (follow_store) happens on the thread that runs `loop` ("the loop's thread" below).
  // Throws std::runtime_error on any of those failures.
  // `clock` stamps the hand-overs, the stream's hello and the routes' "now".
  Console(boost::asio::io_context& loop, Clock& clock, ConsoleOptions options,
          std::unique_ptr<store::EventStore> reads, CollectorSources sources);
  ~Console();
  void start();  // the store listener's thread, with follow_store
  // Any thread: posts the close of the stream's clients (a close frame each) and of the listener
  // onto the loop, which then needs to run a little longer for the frames to go out; stops the
  // store listener.
  void stop();

  std::string url() const;  // http(s)://ADDR:PORT/#token=T
  std::uint16_t port() const;

  // Any thread (the writer's): events newly stored, and agents whose record changed.
  void publish(std::vector<store::StoredEvent> events);
  void agent_changed(std::string agent_id);

  // A store other collectors write to as well (PostgreSQL): the live stream then follows the
  // store rather than this writer's hand-overs. Each notification `listener` receives (any
  // collector's commit, web/console_follow.cpp), and each publish() of this writer, wakes the
  // loop's thread, which reads what was committed after its cursor (read_after: in store order,
  // never past the horizon) and hands it to the stream. Call before start().
  void follow_store(std::unique_ptr<store::EventStore> listener);

 private:
  std::string metrics_text();
  nlohmann::ordered_json stats_json();
  void add_agent_metrics(PrometheusText& out);

  ConsoleOptions options_;
  CollectorSources sources_;
  boost::asio::io_context& io_;
  Clock& clock_;
  std::unique_ptr<store::EventStore> reads_;
  AgentViews views_;
  TokenAuth auth_;
  StreamHub hub_;
  Api api_;
  std::unique_ptr<HttpServer> server_;
  bool stopped_ = false;
  void take_handover();  // the loop's thread
  std::mutex handover_mutex_;
  std::vector<store::StoredEvent> handover_;  // stored, not yet on the loop's thread
  Timestamp handover_at_{};                   // when the oldest of them was handed over
  bool handover_posted_ = false;
  std::atomic<bool> dropped_{false};
  std::atomic<std::uint64_t> handover_dropped_{0};

  void wake_follow();  // any thread
  void follow();       // the loop's thread: reads and publishes what was committed after the cursor
  void listen();       // the listener thread
  void start_following();
  void stop_following();
  std::unique_ptr<store::EventStore> listener_;
  std::thread listener_thread_;
  std::atomic<bool> listening_{false}, follow_posted_{false};
  std::int64_t follow_cursor_ = 0;  // the loop's thread
};

// The per-agent series of /metrics (up, last heartbeat, offset, error bound, spool depth), at most
// `max_agents` of them; the rest are counted in chronowatch_collector_metrics_agents_omitted.
void agent_metrics(PrometheusText& out, const std::vector<store::AgentRecord>& agents,
                   const AgentViews& views, std::size_t max_agents);

}  // namespace cw::web
