// apps/query/query_session.cpp — rounds of NTP exchanges for `chronowatch query` (see
// query_session.h).
#include "apps/query/query_session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "apps/common/source_driver.h"
#include "ntp/source.h"

namespace cw::apps {
namespace {

struct Server {
  ServerResult result;
  std::unique_ptr<ntp::Source> source;
  std::optional<std::size_t> slot;      // in the driver
  std::shared_ptr<NtsAssociation> nts;  // written back after the run (the agent keeps it)
  bool ignores_key = false;  // answers unauthenticated requests, not ours (see probe_without_key)
};

Server failed_server(const Target& target, std::string error, ServerStatus status) {
  Server failed;
  failed.result.name = target.name;
  failed.result.error = std::move(error);
  failed.result.status = status;
  return failed;
}

ntp::SourceConfig source_config(const SessionOptions& options) {
  ntp::SourceConfig config;
  config.timeout = options.timeout;
  config.local_precision = options.local_precision;
  return config;
}

// RFC 8915 §4: NTS-KE with the target's KE port, unless its association still has cookies; the
// NTP server and port are the ones NTS-KE named (no port record: the target's port).
Result<std::shared_ptr<NtsAssociation>, std::string> associate(const Target& target,
                                                               const SessionOptions& options,
                                                               Clock& clock) {
  auto nts = target.nts ? target.nts : std::make_shared<NtsAssociation>();
  if (nts->session && !nts->session->needs_key_exchange()) return nts;
  auto ke = apps::nts::key_exchange(target.host, options.nts_ke_port, *options.nts, clock);
  if (!ke) return fail(ke.error());
  nts->session = ntp::nts::ClientSession::make(ke->keys, std::move(ke->cookies));
  if (!nts->session) return fail(std::string("NTS-KE gave keys of the wrong length"));
  nts->ntp_host = ke->ntp_host;
  nts->ntp_port = ke->ntp_port != 0 ? ke->ntp_port : target.port;
  ++nts->key_exchanges;
  spdlog::debug("{}: NTS-KE done, {} cookies, NTP at {}:{}", target.name, nts->session->cookies(),
                nts->ntp_host, nts->ntp_port);
  return nts;
}

// A source's own NTS-KE (after NTSN, or for a second address of the name): with the target's KE
// server; NTP stays at the source's address, on the port NTS-KE names.
KeyExchangeHook rekey_with(const Target& target, const SessionOptions& options, Clock& clock,
                           platform::SocketAddress address, std::shared_ptr<NtsAssociation> nts) {
  return [target, options, &clock, address, nts]() -> Result<Rekeyed, std::string> {
    auto ke = apps::nts::key_exchange(target.host, options.nts_ke_port, *options.nts, clock);
    if (!ke) return fail(ke.error());
    auto session = ntp::nts::ClientSession::make(ke->keys, std::move(ke->cookies));
    if (!session) return fail(std::string("NTS-KE gave keys of the wrong length"));
    if (nts) ++nts->key_exchanges;
    spdlog::debug("{}: NTS-KE again, {} cookies", target.name, session->cookies());
    auto moved = address;
    moved.port = ke->ntp_port != 0 ? ke->ntp_port : address.port;
    return Rekeyed{std::move(*session), moved};
  };
}

ntp::SourceAuth auth_for(const SessionOptions& options, const NtsAssociation* nts, bool first) {
  if (options.nts)
    return first && nts ? ntp::SourceAuth::nts(nts->session) : ntp::SourceAuth::nts();
  if (options.key) return ntp::SourceAuth::symmetric(*options.key);
  return {};
}

void add_servers(std::vector<Server>& servers, const Target& given, SourceDriver& driver,
                 const SessionOptions& options, Clock& clock, Random& random) {
  Target target = given;
  std::shared_ptr<NtsAssociation> nts;
  if (options.nts) {
    auto associated = associate(given, options, clock);
    if (!associated) {
      servers.push_back(failed_server(given, associated.error(), ServerStatus::auth_failed));
      return;
    }
    nts = *associated;
    target.host = nts->ntp_host;
    target.port = nts->ntp_port;
  }
  auto addresses = platform::resolve(target.host, target.port);
  if (!addresses) {
    servers.push_back(failed_server(given, addresses.error(), ServerStatus::no_answer));
    return;
  }
  for (const auto& address : *addresses) {
    const bool first = &address == &addresses->front();
    Server s;
    s.result.name = given.name;
    s.result.address = address;
    s.result.auth = nts           ? ntp::AuthMode::nts
                    : options.key ? ntp::AuthMode::symmetric
                                  : ntp::AuthMode::none;
    if (nts) s.result.aead = nts->session->aead();
    if (first) s.nts = nts;
    s.source = std::make_unique<ntp::Source>(auth_for(options, nts.get(), first),
                                             source_config(options), random);
    s.slot = driver.add(
        *s.source, address,
        options.nts ? rekey_with(given, options, clock, address, s.nts) : KeyExchangeHook{});
    servers.push_back(std::move(s));
  }
}

// chronyd (like ntpd) stays silent when a request's MAC does not verify or its key id is unknown,
// so a wrong key looks like a dead server. When an authenticated query got no reply at all, one
// unauthenticated request tells the two apart: if that one is answered, the server is alive and
// ignores our key. The probe's answer is only a diagnosis, never a time sample.
void probe_without_key(std::vector<Server>& servers, const SessionOptions& options, Clock& clock,
                       Random& random) {
  if (!options.key) return;
  SourceDriver driver(clock, {options.kernel_timestamps});
  std::vector<std::pair<Server*, std::unique_ptr<ntp::Source>>> probes;
  for (auto& s : servers) {
    if (!s.source) continue;
    const auto& report = s.source->report();
    if (!report.samples.empty() || report.rejection || report.silence != ntp::Silence::timeout)
      continue;
    auto probe = std::make_unique<ntp::Source>(ntp::SourceAuth{}, source_config(options), random);
    const auto slot = driver.add(*probe, s.result.address);
    driver.apply(slot, probe->start_burst(1, options.interval, clock.monotonic_now()));
    probes.emplace_back(&s, std::move(probe));
  }
  driver.run_until_done();
  for (auto& [server, probe] : probes) {
    const auto& report = probe->report();
    server->ignores_key =
        !report.samples.empty() || (report.rejection && report.rejection->answers_request());
  }
}

std::string silence_of(const Server& s, const SourceDriver& driver, const SessionOptions& options) {
  switch (s.source->report().silence) {
    case ntp::Silence::timeout:
      return fmt::format("no valid answer within {:g} s", to_seconds(options.timeout));
    case ntp::Silence::none:
      return "no answer";
    default:
      return driver.error(*s.slot).empty() ? "no answer" : driver.error(*s.slot);
  }
}

void conclude(Server& s, const SourceDriver& driver, const SessionOptions& options) {
  auto& r = s.result;
  if (!s.source) return;  // did not resolve, or its NTS-KE failed
  const auto& report = s.source->report();
  r.samples = report.samples;
  r.rejection = report.rejection;
  r.last_header = report.last_header;
  if (const auto* session = s.source->auth().session()) {
    r.cookies = session->cookies();
    if (s.nts) s.nts->session = *session;  // the agent keeps keys and cookies across polls
  }
  if (!r.samples.empty()) {
    r.status = ServerStatus::ok;
    r.filter = s.source->filter(r.samples.back().measurement.time);
    r.error.clear();
    return;
  }
  using ntp::RejectReason;
  if (r.rejection && r.rejection->answers_request()) {
    r.error = ntp::describe(*r.rejection);
    switch (r.rejection->reason) {
      case RejectReason::kiss_of_death:
        r.status = ServerStatus::kiss_of_death;
        break;
      case RejectReason::unsynchronized:
        r.status = ServerStatus::unsynchronized;
        break;
      case RejectReason::missing_mac:
      case RejectReason::crypto_nak:
      case RejectReason::bad_mac:
      case RejectReason::nts_nak:
        r.status = ServerStatus::auth_failed;
        break;
      default:
        r.status = ServerStatus::no_answer;
        break;
    }
    return;
  }
  if (s.ignores_key) {
    r.status = ServerStatus::auth_failed;
    r.error = fmt::format(
        "authentication failed: the server answers unauthenticated requests but not ours signed "
        "with key {} (wrong secret, or a key id it does not have)",
        options.key ? options.key->id().value : 0);
    return;
  }
  r.status = report.silence == ntp::Silence::key_exchange_failed ? ServerStatus::auth_failed
                                                                 : ServerStatus::no_answer;
  r.error = silence_of(s, driver, options);
  if (r.rejection) r.error += " (last reply rejected: " + ntp::describe(*r.rejection) + ")";
}

}  // namespace

const char* to_string(ServerStatus status) {
  switch (status) {
    case ServerStatus::ok:
      return "ok";
    case ServerStatus::no_answer:
      return "no_answer";
    case ServerStatus::kiss_of_death:
      return "kiss_of_death";
    case ServerStatus::auth_failed:
      return "auth_failed";
    case ServerStatus::unsynchronized:
      return "unsynchronized";
  }
  return "?";
}

const ntp::Sample* ServerResult::best() const {
  if (!filter) return nullptr;
  for (const auto& s : samples)
    if (s.measurement == filter->best) return &s;
  return nullptr;
}

// Every server is one source of the driver, in one burst of `samples` requests `interval` apart;
// the session ends when every burst is done.
std::vector<ServerResult> run_session(const std::vector<Target>& targets,
                                      const SessionOptions& options, Clock& clock, Random& random) {
  SourceDriver driver(clock, {options.kernel_timestamps});
  std::vector<Server> servers;
  for (const auto& target : targets) add_servers(servers, target, driver, options, clock, random);
  for (auto& s : servers) {
    if (!s.source) continue;
    driver.apply(*s.slot,
                 s.source->start_burst(options.samples, options.interval, clock.monotonic_now()));
  }
  driver.run_until_done();
  probe_without_key(servers, options, clock, random);
  std::vector<ServerResult> results;
  for (auto& s : servers) {
    conclude(s, driver, options);
    results.push_back(std::move(s.result));
  }
  return results;
}

}  // namespace cw::apps
