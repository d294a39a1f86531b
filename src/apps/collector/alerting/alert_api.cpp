// apps/collector/alerting/alert_api.cpp — alert routes and metrics.
#include "apps/collector/alerting/alert_api.h"

#include <fmt/format.h>

#include "alerts/config.h"
#include "alerts/formats.h"

namespace cw::apps {
namespace {

using json = nlohmann::ordered_json;

web::HttpResponse ok(const json& body) {
  return web::json_response(200, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

json labels_json(const alerts::Labels& labels) {
  json out = json::object();
  for (const auto& [k, v] : labels) out[k] = v;
  return out;
}

json alert_json(const alerts::Alert& a) {
  json members = json::array();
  for (const auto& m : a.members) members.push_back(m);
  return {{"id", a.id},
          {"rule", a.rule},
          {"status", alerts::to_string(a.status)},
          {"severity", events::to_string(a.severity)},
          {"summary", a.summary},
          {"labels", labels_json(a.labels)},
          {"count", a.count},
          {"first_seen", alerts::rfc3339(a.first_seen)},
          {"last_seen", alerts::rfc3339(a.last_seen)},
          {"resolved_at", a.resolved_at ? json(alerts::rfc3339(*a.resolved_at)) : json()},
          {"resolved_by", a.resolved_by},
          {"acknowledged", a.acknowledged},
          {"acknowledged_by", a.acknowledged_by},
          {"escalated", a.escalated},
          {"false_positive", a.false_positive},
          {"silenced_by", a.silenced_by},
          {"members", members}};
}

json counters_json(const alerts::FeedbackCounters& c) {
  return {{"events", c.events},
          {"raised", c.raised},
          {"notified", c.notified},
          {"acknowledged", c.acknowledged},
          {"false_positive", c.false_positive},
          {"suppressed", c.suppressed},
          {"silenced", c.silenced},
          {"resolved", c.resolved},
          {"escalated", c.escalated}};
}

json suppression_json(const alerts::Suppression& s) {
  return {{"id", s.id},
          {"scope", alerts::to_string(s.scope)},
          {"rule", s.rule},
          {"match", labels_json(s.match)},
          {"reason", s.reason},
          {"from_alert", s.from_alert},
          {"created", alerts::rfc3339(s.created)},
          {"expires", s.expires ? json(alerts::rfc3339(*s.expires)) : json()},
          {"suppressed", s.suppressed}};
}

json silence_json(const alerts::Silence& s) {
  return {{"id", s.id},
          {"match", alerts::to_string(s.match)},
          {"starts", alerts::rfc3339(s.starts)},
          {"ends", alerts::rfc3339(s.ends)},
          {"comment", s.comment},
          {"created_by", s.created_by},
          {"silenced", s.silenced}};
}

std::optional<json> body_of(const web::HttpRequest& request) {
  if (request.body.empty()) return json::object();
  auto parsed = json::parse(request.body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

std::string text(const json& body, const char* key) {
  const auto found = body.find(key);
  return found != body.end() && found->is_string() ? found->get<std::string>() : std::string{};
}

// An ISO 8601 time, or a duration from now ("24h").
std::optional<Timestamp> when(const std::string& value, Timestamp now) {
  if (auto at = parse_iso8601(value)) return at;
  if (auto duration = alerts::parse_duration(value)) return now + *duration;
  return std::nullopt;
}

bool is(const web::Target& t, std::initializer_list<std::string_view> parts) {
  if (t.segments.size() != parts.size()) return false;
  std::size_t i = 0;
  for (auto part : parts) {
    if (part != "*" && t.segments[i] != part) return false;
    ++i;
  }
  return true;
}

web::HttpResponse list_alerts(AlertService& service, const web::Target& t) {
  const auto* status = t.param("status");
  return service.with_engine([&](alerts::AlertEngine& engine, Timestamp) {
    json list = json::array();
    for (const auto& a : engine.alerts())
      if (!status || *status == alerts::to_string(a.status)) list.push_back(alert_json(a));
    json by_rule = json::object(), by_detector = json::object();
    for (const auto& [name, c] : engine.counters().by_rule) by_rule[name] = counters_json(c);
    for (const auto& [name, c] : engine.counters().by_detector)
      by_detector[name] = counters_json(c);
    return ok({{"alerts", list}, {"by_rule", by_rule}, {"by_detector", by_detector}});
  });
}

web::HttpResponse false_positive(AlertService& service, const std::string& id, const json& body) {
  alerts::FalsePositive verdict;
  verdict.reason = text(body, "reason");
  verdict.by = text(body, "by");
  const auto scope = text(body, "scope");
  if (!scope.empty()) {
    auto parsed = alerts::parse_scope(scope);
    if (!parsed)
      return web::error_response(400, "scope: source, source_destination or rule", "scope");
    verdict.scope = *parsed;
  }
  return service.modify_engine([&](alerts::AlertEngine& engine, Timestamp now) {
    if (const auto expires = text(body, "expires"); !expires.empty()) {
      verdict.expires = when(expires, now);
      if (!verdict.expires)
        return web::error_response(400, "expires: an ISO 8601 time or a duration (24h)", "expires");
    }
    auto made = engine.mark_false_positive(id, verdict, now);
    if (!made) return web::error_response(404, made.error());
    return ok({{"suppression", suppression_json(*made)}});
  });
}

web::HttpResponse add_silence(AlertService& service, const json& body) {
  auto matcher = alerts::parse_matcher(text(body, "match"));
  if (!matcher) return web::error_response(400, matcher.error(), "match");
  if (matcher->labels.empty() && !matcher->min_severity)
    return web::error_response(400, "a silence needs a matcher", "match");
  return service.modify_engine([&](alerts::AlertEngine& engine, Timestamp now) {
    alerts::Silence silence;
    silence.match = *matcher;
    auto ends = when(text(body, "ends").empty() ? text(body, "duration") : text(body, "ends"), now);
    if (!ends || *ends <= now)
      return web::error_response(400, "ends: a future ISO 8601 time, or duration: 2h", "ends");
    silence.ends = *ends;
    silence.comment = text(body, "comment");
    silence.created_by = text(body, "created_by");
    return ok({{"silence", silence_json(engine.add_silence(silence, now))}});
  });
}

std::optional<web::HttpResponse> post_route(AlertService& service, const web::HttpRequest& request,
                                            const web::Target& t) {
  const auto body = body_of(request);
  if (!body) return web::error_response(400, "the body is not a JSON object");
  if (is(t, {"api", "v1", "alerts", "*", "ack"}))
    return service.modify_engine([&](alerts::AlertEngine& engine, Timestamp now) {
      auto done = engine.acknowledge(t.segments[3], text(*body, "by"), now);
      return done ? ok({{"alert", alert_json(*done)}}) : web::error_response(404, done.error());
    });
  if (is(t, {"api", "v1", "alerts", "*", "escalate"}))
    return service.modify_engine([&](alerts::AlertEngine& engine, Timestamp now) {
      auto done = engine.escalate(t.segments[3], text(*body, "by"), now);
      return done ? ok({{"alert", alert_json(*done)}}) : web::error_response(404, done.error());
    });
  if (is(t, {"api", "v1", "alerts", "*", "false-positive"}))
    return false_positive(service, t.segments[3], *body);
  if (is(t, {"api", "v1", "silences"})) return add_silence(service, *body);
  return std::nullopt;
}

}  // namespace

std::optional<web::HttpResponse> alert_routes(AlertService& service,
                                              const web::HttpRequest& request,
                                              const web::Target& t) {
  if (t.segments.size() < 3 || t.segments[0] != "api" || t.segments[1] != "v1") return std::nullopt;
  const auto& what = t.segments[2];
  if (what != "alerts" && what != "silences" && what != "suppressions") return std::nullopt;
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (request.method == "POST") {
    if (auto answer = post_route(service, request, t)) return answer;
    return web::error_response(405, "no POST here: " + t.path);
  }
  if (request.method == "DELETE") {
    if (is(t, {"api", "v1", "silences", "*"}))
      return service.modify_engine([&](alerts::AlertEngine& engine, Timestamp now) {
        return engine.expire_silence(t.segments[3], now)
                   ? ok({{"expired", t.segments[3]}})
                   : web::error_response(404, "no silence " + t.segments[3]);
      });
    if (is(t, {"api", "v1", "suppressions", "*"}))
      return service.modify_engine([&](alerts::AlertEngine& engine, Timestamp) {
        return engine.remove_suppression(t.segments[3])
                   ? ok({{"removed", t.segments[3]}})
                   : web::error_response(404, "no suppression " + t.segments[3]);
      });
    return web::error_response(405, "DELETE only for /api/v1/silences/ID, /api/v1/suppressions/ID");
  }
  if (!get) return web::error_response(405, "GET, POST or DELETE");
  if (is(t, {"api", "v1", "alerts"})) return list_alerts(service, t);
  if (is(t, {"api", "v1", "alerts", "*"}))
    return service.with_engine([&](alerts::AlertEngine& engine, Timestamp) {
      auto found = engine.alert(t.segments[3]);
      return found ? ok(alert_json(*found)) : web::error_response(404, "no alert " + t.segments[3]);
    });
  if (is(t, {"api", "v1", "silences"}))
    return service.with_engine([&](alerts::AlertEngine& engine, Timestamp) {
      json list = json::array();
      for (const auto& s : engine.silences()) list.push_back(silence_json(s));
      return ok({{"silences", list}});
    });
  if (is(t, {"api", "v1", "suppressions"}))
    return service.with_engine([&](alerts::AlertEngine& engine, Timestamp) {
      json list = json::array();
      for (const auto& s : engine.suppressions()) list.push_back(suppression_json(s));
      return ok({{"suppressions", list}});
    });
  return web::error_response(404, "no such route: " + t.path);
}

void alert_metrics(AlertService& service, web::PrometheusText& out) {
  struct Row {
    std::string by, name;
    alerts::FeedbackCounters c;
  };
  std::vector<Row> rows;
  const auto totals = service.totals();  // a scrape never waits on the engine's lock
  for (const auto& [name, c] : totals->counters.by_rule) rows.push_back({"rule", name, c});
  for (const auto& [name, c] : totals->counters.by_detector) rows.push_back({"detector", name, c});
  const std::pair<const char*, std::uint64_t alerts::FeedbackCounters::*> fields[] = {
      {"events", &alerts::FeedbackCounters::events},
      {"raised", &alerts::FeedbackCounters::raised},
      {"notified", &alerts::FeedbackCounters::notified},
      {"acknowledged", &alerts::FeedbackCounters::acknowledged},
      {"false_positive", &alerts::FeedbackCounters::false_positive},
      {"suppressed", &alerts::FeedbackCounters::suppressed},
      {"silenced", &alerts::FeedbackCounters::silenced},
      {"resolved", &alerts::FeedbackCounters::resolved},
      {"escalated", &alerts::FeedbackCounters::escalated}};
  for (const auto* by : {"rule", "detector"})
    for (const auto& [field, member] : fields) {
      const auto name = fmt::format("alerts_{}_by_{}_total", field, by);
      out.family(name, fmt::format("alerts: {} per {}", field, by), MetricKind::counter);
      for (const auto& row : rows)
        if (row.by == by) out.sample(name, {{by, row.name}}, static_cast<double>(row.c.*member));
    }
  const auto receivers = service.receiver_counters();
  const std::pair<const char*, std::uint64_t ReceiverCounters::*> delivery[] = {
      {"delivered", &ReceiverCounters::delivered},
      {"failures", &ReceiverCounters::failures},
      {"dropped", &ReceiverCounters::dropped},
      {"taken_over", &ReceiverCounters::taken_over}};
  for (const auto& [field, member] : delivery) {
    const auto name = fmt::format("alert_notifications_{}_total", field);
    out.family(name, fmt::format("alert notifications {} per receiver", field),
               MetricKind::counter);
    for (const auto& r : receivers)
      out.sample(name, {{"receiver", r.name}, {"kind", r.kind}}, static_cast<double>(r.*member));
  }
  out.family("alert_outbox_waiting", "notifications waiting in the outbox", MetricKind::gauge);
  for (const auto& r : receivers)
    out.sample("alert_outbox_waiting", {{"receiver", r.name}, {"kind", r.kind}},
               static_cast<double>(r.waiting));
  const auto feed = service.feed().stats();
  out.family("alert_evaluation_queued_events", "stored events waiting for the alerting thread",
             MetricKind::gauge);
  out.sample("alert_evaluation_queued_events", {}, static_cast<double>(feed.queued_events));
  out.family("alert_evaluation_gap_events_total",
             "stored events the full alerting feed skipped (read back from the store)",
             MetricKind::counter);
  out.sample("alert_evaluation_gap_events_total", {}, static_cast<double>(feed.gap_events));
}

}  // namespace cw::apps
