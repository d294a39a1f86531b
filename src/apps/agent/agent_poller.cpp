// apps/agent/agent_poller.cpp — see apps/agent_poller.h.
#include "apps/agent/agent_poller.h"

#include <fmt/format.h>
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
  ntp::SourceConfig config;
  config.timeout = options_.timeout;
  for (auto& spec : servers) {
    const auto label = spec.label;
    Server server;
    server.source = std::make_unique<ntp::Source>(
        options_.nts ? ntp::SourceAuth::nts() : ntp::SourceAuth{}, config, random_);
    server.spec = std::move(spec);
    servers_.emplace(label, std::move(server));
  }
}

std::vector<std::string> NtpPoller::labels() const {
  std::vector<std::string> result;
  for (const auto& [label, server] : servers_) result.push_back(label);
  return result;
}

// Every named server's burst runs at once on one driver; selection then runs over all servers.
detect::PollRound NtpPoller::poll(const std::vector<std::string>& labels, int exchanges) {
  detect::PollRound round;
  if (forget_.exchange(false)) {
    for (auto& [label, server] : servers_) {
      server.source->forget_history();
      server.usable = false;
    }
  }
  SourceDriver driver(clock_, {options_.kernel_timestamps});
  std::vector<Server*> polled;
  for (const auto& label : labels) {
    const auto found = servers_.find(label);
    if (found == servers_.end()) continue;
    polled.push_back(&found->second);
    if (!start(found->second, driver, exchanges)) found->second.slot.reset();
  }
  driver.run_until_done();
  for (auto* server : polled) round.servers.push_back(outcome_of(*server, &driver));
  select(round, clock_.now());
  return round;
}

// A name is one server: its first address, as ntplib and the seed do. List several servers (or
// several pool names) to let selection find falsetickers. With NTS the name itself goes to NTS-KE
// (the certificate names it, not its address) and NTP to where NTS-KE says.
bool NtpPoller::start(Server& server, SourceDriver& driver, int exchanges) {
  auto addresses = platform::resolve(server.spec.host, server.spec.port);
  if (!addresses || addresses->empty()) {
    server.last_resolve_error = addresses ? "no address" : addresses.error();
    return false;
  }
  server.last_resolve_error.clear();
  const auto address = server.ntp_address.value_or(addresses->front());
  server.slot =
      driver.add(*server.source, address, options_.nts ? key_exchange(server) : KeyExchangeHook{});
  driver.apply(*server.slot, server.source->start_burst(exchanges, options_.burst_spacing,
                                                        clock_.monotonic_now()));
  return true;
}

KeyExchangeHook NtpPoller::key_exchange(Server& server) {
  return [this, &server]() -> Result<Rekeyed, std::string> {
    const apps::nts::KeClientOptions ke_options{options_.nts_ca, options_.timeout * 2};
    auto ke = apps::nts::key_exchange(server.spec.host, options_.nts_ke_port, ke_options, clock_);
    if (!ke) return fail(ke.error());
    auto session = ntp::nts::ClientSession::make(ke->keys, std::move(ke->cookies));
    if (!session) return fail(std::string("NTS-KE gave keys of the wrong length"));
    const auto port = ke->ntp_port != 0 ? ke->ntp_port : server.spec.port;
    auto addresses = platform::resolve(ke->ntp_host, port);
    if (!addresses || addresses->empty())
      return fail(fmt::format("NTS-KE named NTP server {}, which does not resolve", ke->ntp_host));
    server.ntp_address = addresses->front();
    spdlog::debug("{}: NTS-KE done, {} cookies, NTP at {}", server.spec.label, session->cookies(),
                  server.ntp_address->to_string());
    return Rekeyed{std::move(*session), server.ntp_address};
  };
}

detect::ServerOutcome NtpPoller::outcome_of(Server& server, const SourceDriver* driver) {
  detect::ServerOutcome outcome;
  outcome.server = server.spec.label;
  std::string error = server.last_resolve_error;
  if (server.slot && driver != nullptr) {
    const auto result = result_of(*server.source, driver->error(*server.slot), options_.timeout);
    outcome.status = status_of(result);
    outcome.kiss_code = kiss_code(result);
    if (result.last_header) outcome.stratum = result.last_header->stratum.value;
    error = result.error;
  }
  server.slot.reset();
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
  const auto output = server.source->filter(now);
  const ntp::Sample* latest = server.source->best();
  if (!output || latest == nullptr) return std::nullopt;
  detect::ClockSample sample;
  sample.server = server.spec.label;
  sample.offset = output->best.offset;
  sample.delay = output->best.delay;
  sample.root_distance = ntp::root_distance(output->best, latest->root, output->jitter, now);
  sample.stratum = latest->server.stratum.value;
  return sample;
}

// RFC 5905 §11.2 over every server whose latest poll was valid (not only this round's).
void NtpPoller::select(detect::PollRound& round, Timestamp now) {
  std::vector<std::optional<ntp::SourceView>> views;
  std::vector<const Server*> order;
  for (const auto& [label, server] : servers_) {
    const auto output = server.source->filter(now);
    const ntp::Sample* latest = server.source->best();
    if (!server.usable || !output || latest == nullptr) continue;
    views.push_back(ntp::view_of(*output, *latest));
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
