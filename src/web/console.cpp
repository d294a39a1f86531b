// web/console.cpp — the console's object graph on the caller's loop (web/console.h).
#include "web/console.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

namespace cw::web {
namespace {

bool is_loopback(const std::string& address) {
  return address.starts_with("127.") || address == "::1" || address == "localhost";
}

}  // namespace

Console::Console(boost::asio::io_context& loop, Clock& clock, ConsoleOptions options,
                 std::unique_ptr<store::EventStore> reads, CollectorSources sources)
    : options_(std::move(options)),
      sources_(std::move(sources)),
      io_(loop),
      clock_(clock),
      reads_(std::move(reads)),
      auth_(load_or_create_token(options_.token_file)),
      hub_(*reads_, views_, clock_),
      api_(*reads_, views_, auth_,
           ApiSources{[this] { return stats_json(); }, [this] { return metrics_text(); },
                      [this] { return clock_.now(); }, sources_.routes}) {
  views_.set_pseudo_agent(options_.pseudo_agent);
  views_.seed(*reads_, reads_->agents());
  server_ = std::make_unique<HttpServer>(
      io_, options_.listen,
      [this](const HttpRequest& request) {
        auto response = api_.handle(request);
        response.headers.emplace_back("Content-Security-Policy", "default-src 'self'");
        return response;
      },
      [this](const HttpRequest& request, auto& accept) -> std::optional<HttpResponse> {
        if (!auth_.allows(request)) return error_response(401, "missing or wrong token");
        return hub_.upgrade(request, accept);
      });
  if (!options_.listen.tls && !is_loopback(options_.listen.address))
    spdlog::warn(
        "web: the console listens on {} without TLS: its token and data cross the network in "
        "clear; give --http-cert and --http-key, or listen on 127.0.0.1",
        options_.listen.address);
}

Console::~Console() { stop_following(); }

void Console::start() {
  if (listener_) start_following();
}

void Console::stop() {
  stop_following();
  if (std::exchange(stopped_, true)) return;
  boost::asio::post(io_, [this] {
    hub_.close_all();
    server_->stop();
  });
}

std::uint16_t Console::port() const { return server_->port(); }

std::string Console::url() const {
  const auto& a = options_.listen.address;
  const std::string host = a.find(':') != std::string::npos ? "[" + a + "]" : a;
  return std::string{options_.listen.tls ? "https" : "http"} + "://" + host + ":" +
         std::to_string(port()) + "/#token=" + auth_.token();
}

// Commits handed over while the loop is busy are merged: it wakes once for all of them,
// and its clients get one frame for the lot (stamped with the earliest commit's time).
void Console::publish(std::vector<store::StoredEvent> events) {
  if (events.empty()) return;
  if (listener_) return wake_follow();  // read back from the store, in its order
  const auto n = events.size();
  std::lock_guard lock{handover_mutex_};
  if (handover_.size() + n > options_.max_pending_events) {
    dropped_ = true;  // the stream's clients catch up from the store instead
    handover_dropped_ += n;
  } else if (handover_.empty()) {
    handover_ = std::move(events);
    handover_at_ = clock_.now();
  } else {
    handover_.insert(handover_.end(), std::make_move_iterator(events.begin()),
                     std::make_move_iterator(events.end()));
  }
  if (handover_posted_) return;
  handover_posted_ = true;
  boost::asio::post(io_, [this] { take_handover(); });
}

void Console::take_handover() {
  std::vector<store::StoredEvent> events;
  Timestamp stored_at;
  bool dropped = false;
  {
    std::lock_guard lock{handover_mutex_};
    events.swap(handover_);
    stored_at = handover_at_;
    handover_posted_ = false;
    dropped = dropped_.exchange(false);
  }
  std::vector<std::string> changed;
  for (const auto& stored : events)
    if (!views_.is_pseudo_agent(stored.event.agent_id) && views_.observe(stored.event))
      changed.push_back(stored.event.agent_id);
  if (dropped)
    hub_.resync();
  else
    hub_.publish(events, stored_at);
  for (const auto& agent : changed) hub_.agent_changed(agent);
}

void Console::agent_changed(std::string agent_id) {
  if (views_.is_pseudo_agent(agent_id)) return;
  boost::asio::post(io_, [this, agent_id = std::move(agent_id)] { hub_.agent_changed(agent_id); });
}

nlohmann::ordered_json Console::stats_json() {
  auto out = sources_.stats ? sources_.stats() : nlohmann::ordered_json::object();
  const auto s = hub_.stats();
  out["web"] = {{"stream_clients", s.clients},
                {"stream_accepted", s.accepted},
                {"stream_frames_sent", s.frames_sent},
                {"stream_events_sent", s.events_sent},
                {"stream_slow_disconnects", s.slow_disconnects},
                {"stream_resumed", s.resumed},
                {"stream_backfilled", s.backfilled},
                {"stream_resyncs", s.resyncs},
                {"http_requests", api_.requests()},
                {"http_unauthorized", api_.unauthorized()},
                {"handover_dropped", handover_dropped_.load()}};
  return out;
}

std::string Console::metrics_text() {
  PrometheusText out;
  out.build_info("collector", options_.version);
  if (sources_.metrics) sources_.metrics(out);
  const auto s = hub_.stats();
  out.family("web_stream_clients", "WebSocket stream clients connected now", MetricKind::gauge);
  out.sample("web_stream_clients", {}, static_cast<double>(s.clients));
  out.family("web_stream_frames_total", "frames queued to stream clients", MetricKind::counter);
  out.sample("web_stream_frames_total", {}, static_cast<double>(s.frames_sent));
  out.family("web_stream_events_total", "events queued to stream clients, in those frames",
             MetricKind::counter);
  out.sample("web_stream_events_total", {}, static_cast<double>(s.events_sent));
  out.family("web_stream_disconnects_total", "stream clients disconnected by the server, by reason",
             MetricKind::counter);
  out.sample("web_stream_disconnects_total", {{"reason", "slow_client"}},
             static_cast<double>(s.slow_disconnects));
  out.family("web_http_requests_total", "HTTP requests answered", MetricKind::counter);
  out.sample("web_http_requests_total", {}, static_cast<double>(api_.requests()));
  out.family("web_http_unauthorized_total", "requests refused for a missing or wrong token",
             MetricKind::counter);
  out.sample("web_http_unauthorized_total", {}, static_cast<double>(api_.unauthorized()));
  agent_metrics(out, views_.real_agents(reads_->agents()), views_, options_.metrics_max_agents);
  return out.text();
}

void agent_metrics(PrometheusText& out, const std::vector<store::AgentRecord>& agents,
                   const AgentViews& views, std::size_t max_agents) {
  const std::size_t shown = std::min(agents.size(), max_agents);
  struct Series {
    const char* name;
    const char* help;
    std::optional<double> (*value)(const store::AgentRecord&, const AgentLive*);
  };
  static constexpr Series kSeries[] = {
      {"agent_up", "1 when the agent is up (heartbeats arrive), 0 when down",
       [](const store::AgentRecord& r, const AgentLive* l) -> std::optional<double> {
         return agent_state(r, l) == "up" ? 1.0 : 0.0;
       }},
      {"agent_last_heartbeat_timestamp_seconds", "Unix time of the agent's last heartbeat",
       [](const store::AgentRecord&, const AgentLive* l) -> std::optional<double> {
         if (!l || !l->last_heartbeat) return std::nullopt;
         return static_cast<double>(unix_ns(*l->last_heartbeat)) / 1e9;
       }},
      {"agent_offset_seconds", "the agent's last reported clock offset (server minus local)",
       [](const store::AgentRecord& r, const AgentLive*) -> std::optional<double> {
         if (!r.last_offset) return std::nullopt;
         return to_seconds(*r.last_offset);
       }},
      {"agent_error_bound_seconds", "the most the agent's last offset can be wrong by",
       [](const store::AgentRecord&, const AgentLive* l) -> std::optional<double> {
         if (!l || !l->error_bound) return std::nullopt;
         return to_seconds(*l->error_bound);
       }},
      {"agent_spool_depth_events", "events the agent holds unsent (its last heartbeat)",
       [](const store::AgentRecord&, const AgentLive* l) -> std::optional<double> {
         if (!l || !l->spool_depth) return std::nullopt;
         return static_cast<double>(*l->spool_depth);
       }},
  };
  std::vector<const AgentLive*> live(shown);  // looked up once, not once per series
  for (std::size_t i = 0; i < shown; ++i) live[i] = views.find(agents[i].identity.agent_id);
  for (const auto& series : kSeries) {
    out.family(series.name, series.help, MetricKind::gauge);
    for (std::size_t i = 0; i < shown; ++i) {
      const auto& record = agents[i];
      if (auto value = series.value(record, live[i]))
        out.sample(series.name, {{"agent", record.identity.agent_id}}, *value);
    }
  }
  out.family("collector_metrics_agents_omitted",
             "agents left out of the per-agent series (--metrics-max-agents)", MetricKind::gauge);
  out.sample("collector_metrics_agents_omitted", {}, static_cast<double>(agents.size() - shown));
}

}  // namespace cw::web
