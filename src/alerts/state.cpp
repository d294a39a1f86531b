// alerts/state.cpp — encoding the engine's state documents as JSON and decoding them back.
#include "alerts/state.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace cw::alerts {
namespace {

using nlohmann::json;

std::int64_t ns(Timestamp t) { return unix_ns(t); }
// Labels, members and summaries carry what agents sent: bytes that are not UTF-8 become U+FFFD
// rather than an exception on the thread that saves the state.
std::string text_of(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}
Timestamp at(const json& j, const char* key) { return from_unix_ns(j.at(key).get<std::int64_t>()); }

Labels labels_from(const json& j) {
  Labels out;
  for (const auto& [name, value] : j.items()) out[name] = value.get<std::string>();
  return out;
}

events::Severity severity_from(const json& j) {
  const auto name = j.get<std::string>();
  const auto severity = events::parse_severity(name);
  if (!severity) throw std::invalid_argument("unknown severity \"" + name + "\"");
  return *severity;
}

json counters_json(const FeedbackCounters& c) {
  return {c.events,     c.raised,   c.notified, c.acknowledged, c.false_positive,
          c.suppressed, c.silenced, c.resolved, c.escalated};
}

FeedbackCounters counters_from(const json& j) {
  const auto v = j.get<std::vector<std::uint64_t>>();
  if (v.size() != 9) throw std::invalid_argument("a counter row has 9 numbers");
  return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]};
}

// Runs `decode` on the parsed text; any exception becomes the error, prefixed with `what`.
template <typename T, typename Decode>
Result<T, std::string> decode(std::string_view text, const char* what, Decode&& decode_json) {
  try {
    const auto j = json::parse(text);
    if (!j.is_object()) throw std::invalid_argument("not a JSON object");
    return decode_json(j);
  } catch (const std::exception& error) {
    return tl::unexpected(fmt::format("{} state: {}", what, error.what()));
  }
}

}  // namespace

std::string encode_alert(const Alert& a) {
  json j = {{"id", a.id},
            {"rule", a.rule},
            {"group_key", a.group_key},
            {"labels", a.labels},
            {"sample", a.sample},
            {"severity", events::to_string(a.severity)},
            {"summary", a.summary},
            {"count", a.count},
            {"first_seen", ns(a.first_seen)},
            {"last_seen", ns(a.last_seen)},
            {"first_event", ns(a.first_event)},
            {"last_event", ns(a.last_event)},
            {"status", to_string(a.status)},
            {"resolved_by", a.resolved_by},
            {"members", a.members},
            {"acknowledged", a.acknowledged},
            {"acknowledged_by", a.acknowledged_by},
            {"escalated", a.escalated},
            {"false_positive", a.false_positive},
            {"silenced_by", a.silenced_by},
            {"revision", a.revision},
            {"serial", a.serial},
            {"notified_firing", a.notified_firing},
            {"notified_resolved", a.notified_resolved},
            {"changed", a.changed},
            {"last_notified", ns(a.last_notified)}};
  if (a.resolved_at) j["resolved_at"] = ns(*a.resolved_at);
  return text_of(j);
}

Result<Alert, std::string> decode_alert(std::string_view text) {
  return decode<Alert>(text, "alert", [](const json& j) {
    Alert a;
    a.id = j.at("id").get<std::string>();
    if (a.id.empty()) throw std::invalid_argument("empty id");
    a.rule = j.at("rule").get<std::string>();
    a.group_key = j.at("group_key").get<std::string>();
    a.labels = labels_from(j.at("labels"));
    a.sample = labels_from(j.at("sample"));
    a.severity = severity_from(j.at("severity"));
    a.summary = j.at("summary").get<std::string>();
    a.count = j.at("count").get<std::uint64_t>();
    a.first_seen = at(j, "first_seen");
    a.last_seen = at(j, "last_seen");
    a.first_event = at(j, "first_event");
    a.last_event = at(j, "last_event");
    const auto status = j.at("status").get<std::string>();
    if (status != "firing" && status != "resolved")
      throw std::invalid_argument("unknown status \"" + status + "\"");
    a.status = status == "firing" ? AlertStatus::firing : AlertStatus::resolved;
    if (j.contains("resolved_at")) a.resolved_at = at(j, "resolved_at");
    a.resolved_by = j.at("resolved_by").get<std::string>();
    for (const auto& member : j.at("members")) a.members.push_back(member.get<std::string>());
    a.acknowledged = j.at("acknowledged").get<bool>();
    a.acknowledged_by = j.at("acknowledged_by").get<std::string>();
    a.escalated = j.value("escalated", false);
    a.false_positive = j.at("false_positive").get<bool>();
    a.silenced_by = j.at("silenced_by").get<std::string>();
    a.revision = j.at("revision").get<std::uint64_t>();
    a.serial = j.at("serial").get<std::uint64_t>();
    a.notified_firing = j.at("notified_firing").get<bool>();
    a.notified_resolved = j.at("notified_resolved").get<bool>();
    a.changed = j.at("changed").get<bool>();
    a.last_notified = at(j, "last_notified");
    return a;
  });
}

std::string encode_silence(const Silence& s) {
  return text_of(json{{"id", s.id},
                      {"match", to_string(s.match)},
                      {"starts", ns(s.starts)},
                      {"ends", ns(s.ends)},
                      {"comment", s.comment},
                      {"created_by", s.created_by},
                      {"silenced", s.silenced}});
}

Result<Silence, std::string> decode_silence(std::string_view text) {
  return decode<Silence>(text, "silence", [](const json& j) {
    Silence s;
    s.id = j.at("id").get<std::string>();
    if (s.id.empty()) throw std::invalid_argument("empty id");
    auto match = parse_matcher(j.at("match").get<std::string>());
    if (!match) throw std::invalid_argument("matcher: " + match.error());
    s.match = std::move(*match);
    s.starts = at(j, "starts");
    s.ends = at(j, "ends");
    s.comment = j.at("comment").get<std::string>();
    s.created_by = j.at("created_by").get<std::string>();
    s.silenced = j.at("silenced").get<std::uint64_t>();
    return s;
  });
}

std::string encode_suppression(const Suppression& s) {
  json j = {{"id", s.id},
            {"scope", to_string(s.scope)},
            {"rule", s.rule},
            {"match", s.match},
            {"reason", s.reason},
            {"from_alert", s.from_alert},
            {"created", ns(s.created)},
            {"suppressed", s.suppressed}};
  if (s.expires) j["expires"] = ns(*s.expires);
  return text_of(j);
}

Result<Suppression, std::string> decode_suppression(std::string_view text) {
  return decode<Suppression>(text, "suppression", [](const json& j) {
    Suppression s;
    s.id = j.at("id").get<std::string>();
    if (s.id.empty()) throw std::invalid_argument("empty id");
    const auto scope = parse_scope(j.at("scope").get<std::string>());
    if (!scope) throw std::invalid_argument("unknown scope");
    s.scope = *scope;
    s.rule = j.at("rule").get<std::string>();
    s.match = labels_from(j.at("match"));
    s.reason = j.at("reason").get<std::string>();
    s.from_alert = j.at("from_alert").get<std::string>();
    s.created = at(j, "created");
    if (j.contains("expires")) s.expires = at(j, "expires");
    s.suppressed = j.at("suppressed").get<std::uint64_t>();
    return s;
  });
}

std::string encode_totals(const EngineTotals& t) {
  const auto& c = t.counters;
  json by_rule = json::object(), by_detector = json::object();
  for (const auto& [name, row] : c.by_rule) by_rule[name] = counters_json(row);
  for (const auto& [name, row] : c.by_detector) by_detector[name] = counters_json(row);
  return text_of(json{
      {"next_id", t.next_id},
      {"by_rule", by_rule},
      {"by_detector", by_detector},
      {"totals",
       {c.events_seen, c.events_duplicate, c.notifications, c.below_min_severity, c.incidents}}});
}

Result<EngineTotals, std::string> decode_totals(std::string_view text) {
  return decode<EngineTotals>(text, "engine", [](const json& j) {
    EngineTotals t;
    t.next_id = j.at("next_id").get<std::uint64_t>();
    for (const auto& [name, row] : j.at("by_rule").items())
      t.counters.by_rule[name] = counters_from(row);
    for (const auto& [name, row] : j.at("by_detector").items())
      t.counters.by_detector[name] = counters_from(row);
    const auto totals = j.at("totals").get<std::vector<std::uint64_t>>();
    if (totals.size() != 5) throw std::invalid_argument("totals has 5 numbers");
    auto& c = t.counters;
    c.events_seen = totals[0];
    c.events_duplicate = totals[1];
    c.notifications = totals[2];
    c.below_min_severity = totals[3];
    c.incidents = totals[4];
    return t;
  });
}

}  // namespace cw::alerts
