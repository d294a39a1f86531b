// apps/query/query_report.cpp — selection, exit status and output of `chronowatch query`.
#include "apps/query/query_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "ntp/system.h"
#include "platform/socket_address.h"

namespace cw::apps {
namespace {

int status_exit(ServerStatus status) {
  switch (status) {
    case ServerStatus::ok:
      return kExitOk;
    case ServerStatus::no_answer:
      return kExitNoAnswer;
    case ServerStatus::kiss_of_death:
      return kExitKissOfDeath;
    case ServerStatus::auth_failed:
      return kExitAuthFailed;
    case ServerStatus::unsynchronized:
      return kExitUnsynchronized;
  }
  return kExitNoAnswer;
}

// When nothing is usable, the most telling failure decides: authentication, then a Kiss-o'-Death,
// then an unsynchronized server, then silence.
int rank(ServerStatus status) {
  switch (status) {
    case ServerStatus::auth_failed:
      return 4;
    case ServerStatus::kiss_of_death:
      return 3;
    case ServerStatus::unsynchronized:
      return 2;
    case ServerStatus::no_answer:
      return 1;
    case ServerStatus::ok:
      return 0;
  }
  return 0;
}

// "127.0.0.1:123", or "pool.ntp.org 192.0.2.1:123" when the user gave a name.
std::string label(const ServerResult& s) {
  if (s.address.port == 0) return s.name;
  const auto hp = platform::split_host_port(s.name);
  if (hp && !IpAddress::parse(hp->host)) return hp->host + " " + s.address.to_string();
  return s.address.to_string();
}

std::string signed_seconds(Duration d) { return fmt::format("{:+.9f}", to_seconds(d)); }
std::string plain_seconds(Duration d) { return fmt::format("{:.6f}", to_seconds(d)); }

nlohmann::json seconds_or_null(std::optional<Duration> d) {
  return d ? nlohmann::json(to_seconds(*d)) : nlohmann::json(nullptr);
}

}  // namespace

QueryReport conclude(std::vector<ServerResult> servers, Timestamp now) {
  QueryReport report;
  report.servers = std::move(servers);
  std::vector<std::optional<ntp::SourceView>> views;
  for (const auto& s : report.servers) {
    const ntp::Sample* best = s.best();
    views.push_back(best ? std::optional(ntp::view_of(*s.filter, *best)) : std::nullopt);
  }
  const auto system = ntp::System{}.select(views, now);
  report.selection = system.selection;
  report.verdicts = system.verdicts;
  report.distances = system.distances;

  int worst = 0;
  report.exit_status = kExitNoAnswer;
  for (const auto& s : report.servers) {
    if (s.status == ServerStatus::ok) continue;
    report.problems.push_back(fmt::format("{}: {}", label(s), s.error));
    if (rank(s.status) > worst) {
      worst = rank(s.status);
      report.exit_status = status_exit(s.status);
    }
  }
  if (report.selection.offset) {
    report.exit_status = kExitOk;
  } else if (system.candidates() > 0) {
    report.exit_status = kExitNoMajority;
    report.problems.push_back(
        fmt::format("no majority: the {} servers that answered disagree beyond their error bounds",
                    system.candidates()));
  }
  return report;
}

void adjust_clock(QueryReport& report, Duration step_threshold, ClockAdjuster* adjuster) {
  if (!report.selection.offset) return;
  report.correction = ntp::decide_correction(*report.selection.offset, step_threshold);
  if (adjuster == nullptr) return;
  ntp::apply(*report.correction, *adjuster);
  report.correction_applied = true;
}

std::string render_table(const QueryReport& report) {
  std::string out = fmt::format("{:<28} {:>13} {:>9} {:>9} {:>2} {:<15} {:>4} {:>9} {:<4} {}\n",
                                "server", "offset s", "delay s", "jitter s", "st", "refid", "leap",
                                "rootdist", "auth", "verdict");
  for (std::size_t i = 0; i < report.servers.size(); ++i) {
    const auto& s = report.servers[i];
    const ntp::Sample* best = s.best();
    if (!best) {
      out += fmt::format("{:<28} {}: {}\n", label(s), to_string(s.status), s.error);
      continue;
    }
    const auto verdict = report.verdicts[i] ? ntp::to_string(*report.verdicts[i]) : "-";
    out += fmt::format("{:<28} {:>13} {:>9} {:>9} {:>2} {:<15} {:>4} {:>9} {:<4} {}\n", label(s),
                       signed_seconds(s.filter->best.offset), plain_seconds(s.filter->best.delay),
                       plain_seconds(s.filter->jitter), best->server.stratum.value,
                       best->server.reference_id.to_string(), static_cast<int>(best->server.leap),
                       plain_seconds(*report.distances[i]), best->authenticated ? "yes" : "no",
                       verdict);
  }
  if (report.selection.offset) {
    out += fmt::format("combined offset: {} s (jitter {} s)\n",
                       signed_seconds(*report.selection.offset),
                       plain_seconds(report.selection.jitter));
  } else {
    out += "combined offset: none\n";
  }
  if (report.correction) {
    out += fmt::format("{}{}\n", report.correction_applied ? "did: " : "would ",
                       ntp::describe(*report.correction));
  }
  return out;
}

nlohmann::json render_json(const QueryReport& report) {
  auto servers = nlohmann::json::array();
  for (std::size_t i = 0; i < report.servers.size(); ++i) {
    const auto& s = report.servers[i];
    const ntp::Sample* best = s.best();
    const auto& header = best ? std::optional<ntp::Packet>(best->server) : s.last_header;
    nlohmann::json j;
    j["name"] = s.name;
    j["address"] = s.address.port == 0 ? nlohmann::json(nullptr)
                                       : nlohmann::json(s.address.address.to_string());
    j["port"] = s.address.port == 0 ? nlohmann::json(nullptr) : nlohmann::json(s.address.port);
    j["status"] = to_string(s.status);
    j["offset"] = seconds_or_null(best ? std::optional(s.filter->best.offset) : std::nullopt);
    j["delay"] = seconds_or_null(best ? std::optional(s.filter->best.delay) : std::nullopt);
    j["jitter"] = seconds_or_null(best ? std::optional(s.filter->jitter) : std::nullopt);
    j["stratum"] = header ? nlohmann::json(header->stratum.value) : nlohmann::json(nullptr);
    j["refid"] =
        header ? nlohmann::json(header->reference_id.to_string()) : nlohmann::json(nullptr);
    j["leap"] = header ? nlohmann::json(static_cast<int>(header->leap)) : nlohmann::json(nullptr);
    j["root_delay"] = seconds_or_null(best ? std::optional(best->root.root_delay) : std::nullopt);
    j["root_dispersion"] =
        seconds_or_null(best ? std::optional(best->root.root_dispersion) : std::nullopt);
    j["root_distance"] = seconds_or_null(report.distances[i]);
    j["samples"] = s.samples.size();
    j["authenticated"] = best != nullptr && best->authenticated;
    j["auth"] = ntp::to_string(s.auth);
    j["aead"] = s.aead ? nlohmann::json(ntp::nts::name(*s.aead)) : nlohmann::json(nullptr);
    j["cookies"] =
        s.auth == ntp::AuthMode::nts ? nlohmann::json(s.cookies) : nlohmann::json(nullptr);
    j["falseticker"] = report.verdicts[i] == ntp::Verdict::falseticker;
    j["verdict"] = report.verdicts[i] ? nlohmann::json(ntp::to_string(*report.verdicts[i]))
                                      : nlohmann::json(nullptr);
    j["kiss_code"] = s.rejection && s.rejection->kiss_code
                         ? nlohmann::json(s.rejection->kiss_code->to_string())
                         : nlohmann::json(nullptr);
    j["error"] = s.status == ServerStatus::ok ? nlohmann::json(nullptr) : nlohmann::json(s.error);
    servers.push_back(std::move(j));
  }
  nlohmann::json out;
  out["servers"] = std::move(servers);
  out["offset"] = seconds_or_null(report.selection.offset);
  out["jitter"] = report.selection.offset ? nlohmann::json(to_seconds(report.selection.jitter))
                                          : nlohmann::json(nullptr);
  out["exit_status"] = report.exit_status;
  if (report.correction) {
    out["adjustment"] = {
        {"action", report.correction->kind == ntp::Correction::Kind::step ? "step" : "slew"},
        {"offset", to_seconds(report.correction->offset)},
        {"applied", report.correction_applied}};
  }
  return out;
}

}  // namespace cw::apps
