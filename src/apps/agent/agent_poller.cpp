// apps/agent/agent_poller.cpp — see apps/agent_poller.h.
#include "apps/agent/agent_poller.h"

#include <spdlog/spdlog.h>

#include "apps/query/query_session.h"
#include "ntp/measurement.h"
#include "ntp/system.h"
#include "platform/socket_address.h"

namespace cw::apps {
namespace {

using detect::PollStatus;

PollStatus status_of(const ServerResult& result) {
  switch (result.status) {
    case ServerStatus::ok:
      return PollStatus::ok;
    case ServerStatus::kiss_of_death:
      return PollStatus::kiss_of_death;
    case ServerStatus::unsynchronized:
      return PollStatus::unsynchronized;
    case ServerStatus::auth_failed:
      return PollStatus::invalid;
    case ServerStatus::no_answer:
      break;
  }
  return PollStatus::no_reply;
}

std::string kiss_code(const ServerResult& result) {
  if (!result.rejection || !result.rejection->kiss_code) return {};
  return result.rejection->kiss_code->ascii().value_or(result.rejection->kiss_code->to_string());
}

}  // namespace

NtpPoller::NtpPoller(std::vector<ServerSpec> servers, PollerOptions options, Clock& clock,
                     Random& random)
    : options_(options), clock_(clock), random_(random) {
  for (auto& spec : servers) {
    const auto label = spec.label;
    servers_.emplace(label, Server{std::move(spec),
                                   ntp::ClockFilter{},
                                   std::nullopt,
                                   false,
                                   {},
                                   std::make_shared<NtsAssociation>()});
  }
}

std::vector<std::string> NtpPoller::labels() const {
  std::vector<std::string> result;
  for (const auto& [label, server] : servers_) result.push_back(label);
  return result;
}

detect::PollRound NtpPoller::poll(const std::vector<std::string>& labels, int exchanges) {
  detect::PollRound round;
  if (forget_.exchange(false)) {
    for (auto& [label, server] : servers_) {
      server.filter.reset();
      server.latest.reset();
      server.usable = false;
    }
  }
  for (const auto& label : labels) {
    const auto found = servers_.find(label);
    if (found != servers_.end()) round.servers.push_back(poll_one(found->second, exchanges));
  }
  select(round, clock_.now());
  return round;
}

// A name is one server: its first address, as ntplib and the seed do. List several servers (or
// several pool names) to let selection find falsetickers.
detect::ServerOutcome NtpPoller::poll_one(Server& server, int exchanges) {
  detect::ServerOutcome outcome;
  outcome.server = server.spec.label;
  std::string error;
  // With NTS the name itself goes to NTS-KE: the certificate names it, not its address.
  auto addresses = platform::resolve(server.spec.host, server.spec.port);
  if (!addresses || addresses->empty()) {
    error = addresses ? "no address" : addresses.error();
  } else {
    const Target target{server.spec.label,
                        options_.nts ? server.spec.host : addresses->front().address.to_string(),
                        server.spec.port, server.nts};
    SessionOptions session;
    session.samples = exchanges;
    session.timeout = options_.timeout;
    session.interval = options_.burst_spacing;
    session.kernel_timestamps = options_.kernel_timestamps;
    if (options_.nts) {
      session.nts = apps::nts::KeClientOptions{options_.nts_ca, options_.timeout * 2};
      session.nts_ke_port = options_.nts_ke_port;
    }
    auto results = run_session({target}, session, clock_, random_);
    const ServerResult& result = results.front();
    outcome.status = status_of(result);
    outcome.kiss_code = kiss_code(result);
    if (result.last_header) outcome.stratum = result.last_header->stratum.value;
    for (const auto& sample : result.samples) server.filter.add(sample.measurement);
    if (const auto* best = result.best()) server.latest = *best;
    error = result.error;
  }
  server.usable = outcome.status == PollStatus::ok;
  if (server.usable) outcome.sample = sample_of(server, clock_.now());
  if (!server.usable && error != server.last_error)
    spdlog::warn("ntp: {}: {}", server.spec.label, error.empty() ? "no usable answer" : error);
  if (server.usable && !server.last_error.empty())
    spdlog::info("ntp: {} answers again", server.spec.label);
  server.last_error = server.usable ? std::string{} : error;
  return outcome;
}

std::optional<detect::ClockSample> NtpPoller::sample_of(const Server& server, Timestamp now) const {
  const auto output = server.filter.output(now);
  if (!output || !server.latest) return std::nullopt;
  detect::ClockSample sample;
  sample.server = server.spec.label;
  sample.offset = output->best.offset;
  sample.delay = output->best.delay;
  sample.root_distance = ntp::root_distance(output->best, server.latest->root, output->jitter, now);
  sample.stratum = server.latest->server.stratum.value;
  return sample;
}

// RFC 5905 §11.2 over every server whose latest poll was valid (not only this round's).
void NtpPoller::select(detect::PollRound& round, Timestamp now) {
  std::vector<std::optional<ntp::SourceView>> views;
  std::vector<const Server*> order;
  for (const auto& [label, server] : servers_) {
    const auto output = server.filter.output(now);
    if (!server.usable || !output || !server.latest) continue;
    views.push_back(ntp::view_of(*output, *server.latest));
    order.push_back(&server);
  }
  if (views.empty()) return;
  const auto result = ntp::System{}.select(views, now);
  for (std::size_t i = 0; i < views.size(); ++i) {
    if (result.verdicts[i] != ntp::Verdict::falseticker) continue;
    for (auto& outcome : round.servers)
      if (outcome.server == order[i]->spec.label) outcome.falseticker = true;
  }
  if (!result.offset()) return;
  auto combined = sample_of(*order[result.system_peer.value_or(0)], now);
  if (!combined) return;
  combined->offset = *result.offset();
  round.combined = combined;
}

}  // namespace cw::apps
