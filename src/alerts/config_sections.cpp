// alerts/config_sections.cpp — the correlation, receivers and silences parts of `alerts:`.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "alerts/config.h"

namespace cw::alerts {

using Error = tl::unexpected<std::string>;

namespace {

Result<void, std::string> read_count(const YAML::Node& value, std::size_t& out,
                                     std::string_view key) {
  const auto count = value.as<long long>();
  if (count < 1 || count > 1'000'000) return Error(fmt::format("{}: 1 to 1000000", key));
  out = static_cast<std::size_t>(count);
  return {};
}

Result<void, std::string> read_receiver_field(ReceiverConfig& r, const std::string& key,
                                              const YAML::Node& value) {
  const auto text = [&] { return value.IsScalar() ? value.Scalar() : std::string{}; };
  if (key == "name") {
    r.name = text();
  } else if (key == "webhook" || key == "alertmanager" || key == "slack") {
    r.kind = key == "webhook"        ? ReceiverKind::webhook
             : key == "alertmanager" ? ReceiverKind::alertmanager
                                     : ReceiverKind::slack;
    r.url = text();
    if (!r.url.starts_with("http://") && !r.url.starts_with("https://"))
      return Error(fmt::format("{}: '{}' is not an http:// or https:// URL", key, r.url));
  } else if (key == "smtp") {
    r.kind = ReceiverKind::email;
    r.smtp = text();
    if (r.smtp.find(':') == std::string::npos)
      return Error(fmt::format("smtp: '{}' is not HOST:PORT", r.smtp));
  } else if (key == "from") {
    r.mail_from = text();
  } else if (key == "to") {
    r.mail_to.clear();
    if (value.IsScalar()) r.mail_to.push_back(value.Scalar());
    if (value.IsSequence())
      for (const auto& item : value) r.mail_to.push_back(item.Scalar());
  } else if (key == "username") {
    r.username = text();
  } else if (key == "password_file") {
    r.password_file = text();
  } else if (key == "ca_file") {
    r.ca_file = text();
  } else if (key == "starttls") {
    r.starttls = value.as<bool>();
  } else if (key == "secret_file") {
    r.secret_file = text();
  } else if (key == "min_severity") {
    auto severity = events::parse_severity(text());
    if (!severity) return Error(fmt::format("min_severity: unknown '{}'", text()));
    r.min_severity = *severity;
  } else if (key == "match") {
    auto matcher = value.IsScalar() ? parse_matcher(value.Scalar())
                                    : Result<Matcher, std::string>(Error("expected text"));
    if (!matcher) return Error(fmt::format("match: {}", matcher.error()));
    r.match = *matcher;
  } else {
    return Error(fmt::format("unknown key '{}'", key));
  }
  return {};
}

}  // namespace

Result<void, std::string> read_correlation(const YAML::Node& node, CorrelationConfig& config) {
  if (!node.IsMap()) return Error("expected a map");
  for (const auto& item : node) {
    const auto key = item.first.Scalar();
    const auto& value = item.second;
    Result<void, std::string> ok;
    if (key == "enabled") {
      config.enabled = value.as<bool>();
    } else if (key == "fleet_min_agents") {
      ok = read_count(value, config.fleet_min_agents, key);
    } else if (key == "fleet_fraction") {
      config.fleet_fraction = value.as<double>();
      if (!(config.fleet_fraction > 0 && config.fleet_fraction <= 1))
        ok = Error("fleet_fraction: above 0, at most 1");
    } else if (key == "fleet_fraction_floor") {
      ok = read_count(value, config.fleet_fraction_floor, key);
    } else if (key == "campaign_min_agents") {
      ok = read_count(value, config.campaign_min_agents, key);
    } else if (key == "fleet_window" || key == "campaign_window") {
      auto duration = parse_duration(value.Scalar());
      if (!duration)
        ok = Error(fmt::format("{}: {}", key, duration.error()));
      else
        (key == "fleet_window" ? config.fleet_window : config.campaign_window) = *duration;
    } else if (key == "collector_id") {
      config.collector_id = value.Scalar();
    } else {
      ok = Error(fmt::format("unknown key '{}'", key));
    }
    if (!ok) return ok;
  }
  return {};
}

Result<void, std::string> read_receivers(const YAML::Node& node, AlertsConfig& config) {
  if (!node.IsSequence()) return Error("expected a list");
  std::size_t index = 0;
  for (const auto& item : node) {
    ++index;
    if (!item.IsMap()) return Error(fmt::format("[{}]: expected a map", index));
    ReceiverConfig receiver;
    for (const auto& field : item)
      if (auto ok = read_receiver_field(receiver, field.first.Scalar(), field.second); !ok)
        return Error(fmt::format("[{}]: {}", index, ok.error()));
    if (receiver.url.empty() && receiver.smtp.empty())
      return Error(fmt::format("[{}]: needs webhook, alertmanager, slack or smtp", index));
    if (receiver.kind == ReceiverKind::email &&
        (receiver.mail_from.empty() || receiver.mail_to.empty()))
      return Error(fmt::format("[{}]: smtp needs from and to", index));
    if (receiver.name.empty()) receiver.name = fmt::format("receiver-{}", index);
    config.receivers.push_back(std::move(receiver));
  }
  return {};
}

Result<std::vector<Silence>, std::string> read_silences(const YAML::Node& node) {
  if (!node.IsSequence()) return Error("expected a list");
  std::vector<Silence> out;
  std::size_t index = 0;
  for (const auto& item : node) {
    ++index;
    if (!item.IsMap() || !item["match"] || !item["ends"])
      return Error(fmt::format("[{}]: needs match and ends", index));
    auto matcher = parse_matcher(item["match"].Scalar());
    if (!matcher) return Error(fmt::format("[{}]: match: {}", index, matcher.error()));
    auto ends = parse_iso8601(item["ends"].Scalar());
    if (!ends) return Error(fmt::format("[{}]: ends: not an ISO 8601 time", index));
    Silence silence;
    silence.id = fmt::format("config-{}", index);
    silence.match = *matcher;
    silence.ends = *ends;
    if (item["starts"]) {
      auto starts = parse_iso8601(item["starts"].Scalar());
      if (!starts) return Error(fmt::format("[{}]: starts: not an ISO 8601 time", index));
      silence.starts = *starts;
    }
    if (item["comment"]) silence.comment = item["comment"].Scalar();
    silence.created_by = "config";
    out.push_back(std::move(silence));
  }
  return out;
}

}  // namespace cw::alerts
