// alerts/state_progress.cpp — the correlation windows and the evaluation progress as JSON
// documents (alerts/state.h). The text is read back from the store at startup: anything that does
// not hang together is refused whole, with the reason.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "alerts/state.h"

namespace cw::alerts {
namespace {

using nlohmann::json;

std::int64_t ns(Timestamp t) { return unix_ns(t); }
Timestamp time_from(const json& j) { return from_unix_ns(j.get<std::int64_t>()); }

std::string key_of(const std::string& server, int direction) {
  return fmt::format("{}/{}", server, direction);
}

// The member `key` of `j`, which must be an object (a list would decode with "0", "1", ... keys).
const json& object(const json& j, const char* key) {
  const auto& value = j.at(key);
  if (!value.is_object()) throw std::invalid_argument(fmt::format("{} is not an object", key));
  return value;
}

void check_size(const json& j, std::size_t most, const char* what) {
  if (j.size() > most) throw std::invalid_argument(fmt::format("more than {} {}", most, what));
}

std::vector<std::string> list_from(const json& j, const char* what) {
  if (!j.is_array()) throw std::invalid_argument(fmt::format("{} is not a list", what));
  check_size(j, kMaxWindowList, what);
  return j.get<std::vector<std::string>>();
}

// At most `most` entries of `map`, in its order.
template <typename Map, typename Each>
json capped(const Map& map, std::size_t most, Each each) {
  json out = json::object();
  for (const auto& [key, value] : map) {
    if (out.size() == most) break;
    out[key] = each(value);
  }
  return out;
}

template <typename T, typename Decode>
Result<T, std::string> decode(std::string_view text, const char* what, Decode&& decode_json) {
  try {
    if (text.size() > kMaxStateText) throw std::invalid_argument("the document is too large");
    const auto j = json::parse(text);
    if (!j.is_object() && !j.is_array()) throw std::invalid_argument("not a JSON document");
    return decode_json(j);
  } catch (const std::exception& error) {
    return tl::unexpected(fmt::format("{} state: {}", what, error.what()));
  }
}

json campaign_json(const Campaign& c) {
  return {{"agents", capped(c.agents, kMaxWindowEntries, [](Timestamp t) { return ns(t); })},
          {"kinds", c.kinds},
          {"members", c.members},
          {"last", ns(c.last)},
          {"open", c.open}};
}

Campaign campaign_from(const json& j) {
  Campaign c;
  check_size(object(j, "agents"), kMaxWindowEntries, "campaign agents");
  for (const auto& [agent, at] : object(j, "agents").items()) c.agents[agent] = time_from(at);
  c.kinds = list_from(j.at("kinds"), "kinds");
  c.members = list_from(j.at("members"), "members");
  c.last = time_from(j.at("last"));
  c.open = j.at("open").get<bool>();
  return c;
}

void decode_drifts(const json& j, CorrelationWindows& w) {
  check_size(object(j, "drifting"), kMaxWindowEntries, "drifting agents");
  for (const auto& [agent, d] : object(j, "drifting").items()) {
    Drift drift{d.at(0).get<std::string>(), d.at(1).get<int>(), time_from(d.at(2)),
                d.at(3).get<std::string>()};
    if (drift.direction != 1 && drift.direction != -1)
      throw std::invalid_argument("a drift's direction is 1 or -1");
    w.drifting.emplace(agent, std::move(drift));
  }
  check_size(object(j, "by_key"), kMaxWindowEntries, "drift keys");
  for (const auto& [key, agents] : object(j, "by_key").items()) {
    if (!agents.is_object()) throw std::invalid_argument("a drift key's agents are an object");
    check_size(agents, kMaxWindowEntries, "agents of a drift key");
    for (const auto& [agent, at] : agents.items()) {
      const auto open = w.drifting.find(agent);
      if (open == w.drifting.end() || key_of(open->second.server, open->second.direction) != key)
        throw std::invalid_argument(
            fmt::format("drift key {} names {}, which has no open drift there", key, agent));
      w.drifting_by_key[key][agent] = time_from(at);
    }
  }
}

}  // namespace

std::string encode_progress(const EvaluationProgress& p) {
  return json{{"evaluated_through", p.evaluated_through},
              {"incident_sequence", p.incident_sequence}}
      .dump();
}

Result<EvaluationProgress, std::string> decode_progress(std::string_view text) {
  return decode<EvaluationProgress>(text, "progress", [](const json& j) {
    EvaluationProgress p;
    p.evaluated_through = j.at("evaluated_through").get<std::int64_t>();
    if (p.evaluated_through < 0) throw std::invalid_argument("a negative store position");
    p.incident_sequence = j.at("incident_sequence").get<std::uint64_t>();
    if (p.incident_sequence & events::kCollectorSequenceBit)
      throw std::invalid_argument("an incident sequence with the collector's bit");
    return p;
  });
}

std::string encode_windows(const CorrelationWindows& w) {
  json drifting = json::object(), by_key = json::object();
  for (const auto& [agent, d] : w.drifting) {
    if (drifting.size() == kMaxWindowEntries) break;
    drifting[agent] = json::array({d.server, d.direction, ns(d.at), d.member});
  }
  for (const auto& [key, agents] : w.drifting_by_key) {
    if (by_key.size() == kMaxWindowEntries) break;
    json kept = json::object();
    for (const auto& [agent, at] : agents)
      if (drifting.contains(agent) && kept.size() < kMaxWindowEntries) kept[agent] = ns(at);
    if (!kept.empty()) by_key[key] = std::move(kept);
  }
  json users = capped(w.users, kMaxWindowEntries, [](const std::set<std::string>& agents) {
    json out = json::array();
    for (const auto& agent : agents)
      if (out.size() < kMaxWindowEntries) out.push_back(agent);
    return out;
  });
  json fleet = capped(w.fleet, kMaxWindowEntries, [](const FleetIncident& f) {
    json agents = json::array();
    for (const auto& agent : f.agents)
      if (agents.size() < kMaxWindowEntries) agents.push_back(agent);
    std::vector<std::string> members(
        f.members.begin(), f.members.begin() + std::min(f.members.size(), kMaxWindowList));
    return json{{"agents", agents}, {"members", members}};
  });
  return json{
      {"drifting", drifting}, {"by_key", by_key},
      {"users", users},       {"up", capped(w.up, kMaxWindowEntries, [](bool up) { return up; })},
      {"fleet", fleet},       {"campaigns", capped(w.campaigns, kMaxWindowEntries, campaign_json)}}
      // An agent's id is bytes: what is not UTF-8 is written as U+FFFD rather than failing the
      // save.
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<CorrelationWindows, std::string> decode_windows(std::string_view text) {
  return decode<CorrelationWindows>(text, "correlation", [](const json& j) {
    CorrelationWindows w;
    decode_drifts(j, w);
    check_size(object(j, "users"), kMaxWindowEntries, "servers");
    for (const auto& [server, agents] : object(j, "users").items()) {
      check_size(agents, kMaxWindowEntries, "users of a server");
      w.users[server] = agents.get<std::set<std::string>>();
    }
    check_size(object(j, "up"), kMaxWindowEntries, "agents");
    for (const auto& [agent, up] : object(j, "up").items()) w.up[agent] = up.get<bool>();
    check_size(object(j, "fleet"), kMaxWindowEntries, "fleet incidents");
    for (const auto& [key, f] : object(j, "fleet").items()) {
      if (key.find('/') == std::string::npos)
        throw std::invalid_argument("a fleet incident's key is server/direction");
      check_size(f.at("agents"), kMaxWindowEntries, "fleet agents");
      w.fleet[key] = {f.at("agents").get<std::set<std::string>>(),
                      list_from(f.at("members"), "members")};
    }
    check_size(object(j, "campaigns"), kMaxWindowEntries, "campaigns");
    for (const auto& [key, c] : object(j, "campaigns").items()) {
      const auto source = IpAddress::parse(key);
      if (!source) throw std::invalid_argument("a campaign's source is not an address: " + key);
      auto campaign = campaign_from(c);
      campaign.source = *source;
      w.campaigns[source->to_string()] = std::move(campaign);
    }
    return w;
  });
}

}  // namespace cw::alerts
