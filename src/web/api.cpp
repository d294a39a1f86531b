// web/api.cpp — the console's routes (web/api.h).
#include "web/api.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "events/json_codec.h"
#include "web/assets.h"
#include "web/cursor.h"
#include "web/metrics.h"
#include "web/series.h"

namespace cw::web {
namespace {

using json = nlohmann::ordered_json;
constexpr std::size_t kMaxSeriesEvents = 2'000'000;

std::string dump(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

HttpResponse ok(const json& body) { return json_response(200, dump(body)); }

bool is(const Target& t, std::initializer_list<std::string_view> segments) {
  if (t.segments.size() != segments.size()) return false;
  std::size_t i = 0;
  for (auto s : segments) {
    if (s != "*" && t.segments[i] != s) return false;
    ++i;
  }
  return true;
}

}  // namespace

HttpResponse error_response(int status, const std::string& message, const std::string& parameter) {
  json body{{"error", message}};
  if (!parameter.empty()) body["parameter"] = parameter;
  return json_response(status, dump(body));
}

Api::Api(store::EventStore& reads, const AgentViews& views, const TokenAuth& auth,
         ApiSources sources)
    : reads_(reads), views_(views), auth_(auth), sources_(std::move(sources)) {}

HttpResponse Api::handle(const HttpRequest& request) {
  ++requests_;
  const auto target = parse_target(request.target);
  if (!target) return error_response(400, "malformed request target");
  try {
    return route(request, *target);
  } catch (const std::exception& error) {  // the store failed (busy, gone): say so, keep serving
    spdlog::error("web: {} {}: {}", request.method, target->path, error.what());
    return error_response(503, std::string{"store unavailable: "} + error.what());
  }
}

HttpResponse Api::route(const HttpRequest& request, const Target& t) {
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (t.path == "/healthz") return get ? ok({{"status", "ok"}}) : error_response(405, "GET only");
  if (t.path == "/api/v1/session") {
    if (request.method != "POST") return error_response(405, "POST {\"token\": ...}");
    return auth_.login(request);
  }
  const bool api = t.path.starts_with("/api/") || t.path == "/metrics";
  if (!api) return get ? file(t.path) : error_response(405, "GET only");
  if (!auth_.allows(request)) {
    ++unauthorized_;
    auto refused = error_response(401, "missing or wrong token (Authorization: Bearer TOKEN)");
    refused.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"chronowatch\"");
    return refused;
  }
  if (sources_.extra)
    if (auto answer = sources_.extra(request, t)) return std::move(*answer);
  if (!get) return error_response(405, "GET only");
  if (t.path == "/metrics") {
    HttpResponse r;
    r.content_type = kPrometheusContentType;
    r.body = sources_.metrics ? sources_.metrics() : std::string{};
    return r;
  }
  if (is(t, {"api", "v1", "agents"})) return agents();
  if (is(t, {"api", "v1", "agents", "*"})) return agent(t.segments[3]);
  if (is(t, {"api", "v1", "events"})) return events(t);
  if (is(t, {"api", "v1", "events", "*", "*"})) return event(t.segments[3], t.segments[4]);
  if (is(t, {"api", "v1", "series", "offset"})) return series(t);
  if (is(t, {"api", "v1", "stats"})) return ok(sources_.stats ? sources_.stats() : json::object());
  if (is(t, {"api", "v1", "stream"}))
    return error_response(400, "the stream is a WebSocket: send an Upgrade request");
  return error_response(404, "no such route: " + t.path);
}

HttpResponse Api::agents() {
  auto list = json::array();
  for (const auto& record : views_.real_agents(reads_.agents()))
    list.push_back(agent_to_json(record, views_.find(record.identity.agent_id)));
  return ok({{"agents", list}});
}

HttpResponse Api::agent(const std::string& id) {
  const auto record = views_.is_pseudo_agent(id) ? std::nullopt : reads_.agent(id);
  if (!record) return error_response(404, "no agent " + id);
  return ok({{"agent", agent_to_json(*record, views_.find(id))}});
}

HttpResponse Api::events(const Target& target) {
  auto query = parse_events_query(target);
  if (!query) return error_response(400, query.error().message, query.error().parameter);
  const auto page = reads_.page(query->page);
  auto list = json::array();
  for (const auto& stored : page) list.push_back(events::event_to_json(stored.event));
  json next = nullptr;
  if (!page.empty() && page.size() == query->page.filter.limit) {
    const auto& last = page.back().event;
    next = encode_page_cursor({last.timestamp, last.agent_id, last.sequence});
  }
  return ok({{"events", list}, {"next_cursor", next}});
}

HttpResponse Api::event(const std::string& agent, const std::string& sequence_text) {
  std::uint64_t sequence = 0;
  const auto* end = sequence_text.data() + sequence_text.size();
  const auto [at, error] = std::from_chars(sequence_text.data(), end, sequence);
  if (sequence_text.empty() || error != std::errc{} || at != end)
    return error_response(400, "sequence: a whole number", "sequence");
  const auto found = reads_.find(agent, sequence);
  if (!found) return error_response(404, "no event " + agent + "/" + sequence_text);
  return ok({{"event", events::event_to_json(found->event)}});
}

HttpResponse Api::series(const Target& target) {
  auto query = parse_series_query(target, sources_.now());
  if (!query) return error_response(400, query.error().message, query.error().parameter);
  std::vector<events::Event> samples;
  for (auto type : {events::EventType::time_drift, events::EventType::time_drift_cleared}) {
    store::EventFilter filter;
    filter.agent_id = query->agent;
    filter.since = query->since;
    filter.until = query->until;
    filter.type = type;
    filter.limit = kMaxSeriesEvents;
    auto found = reads_.query(filter);
    std::move(found.begin(), found.end(), std::back_inserter(samples));
  }
  return ok(
      series_to_json(query->agent, query->step, offset_series(samples, query->since, query->step)));
}

HttpResponse Api::file(const std::string& path) {
  const auto* found = find_embedded(path);
  if (!found) return error_response(404, "no such file: " + path);
  HttpResponse r;
  r.content_type = std::string{content_type_for(found->path)};
  r.body = std::string{found->bytes};
  return r;
}

}  // namespace cw::web
