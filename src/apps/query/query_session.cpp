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
  std::optional<std::size_t> slot;  // in the driver
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

// RFC 8915 §4: NTS-KE with the target's KE port. The NTP server and port are the ones NTS-KE
// named (no port record: the target's port).
struct Association {
  ntp::nts::ClientSession session;
  std::string ntp_host;
  std::uint16_t ntp_port = 123;
};
Result<Association, std::string> associate(const Target& target, const SessionOptions& options,
                                           Clock& clock) {
  auto ke = apps::nts::key_exchange(target.host, options.nts_ke_port, *options.nts, clock);
  if (!ke) return fail(ke.error());
  auto session = ntp::nts::ClientSession::make(ke->keys, std::move(ke->cookies));
  if (!session) return fail(std::string("NTS-KE gave keys of the wrong length"));
  spdlog::debug("{}: NTS-KE done, {} cookies, NTP at {}:{}", target.name, session->cookies(),
                ke->ntp_host, ke->ntp_port);
  return Association{std::move(*session), ke->ntp_host,
                     ke->ntp_port != 0 ? ke->ntp_port : target.port};
}

// A source's own NTS-KE (after NTSN, or for a second address of the name): with the target's KE
// server; NTP stays at the source's address, on the port NTS-KE names.
KeyExchangeHook rekey_with(const Target& target, const SessionOptions& options, Clock& clock,
                           platform::SocketAddress address) {
  return [target, options, &clock, address]() -> Result<Rekeyed, std::string> {
    auto keyed = associate(target, options, clock);
    if (!keyed) return fail(keyed.error());
    auto moved = address;
    moved.port = keyed->ntp_port;
    return Rekeyed{std::move(keyed->session), moved};
  };
}

void add_servers(std::vector<Server>& servers, const Target& given, SourceDriver& driver,
                 const SessionOptions& options, Clock& clock, Random& random) {
  Target target = given;
  std::optional<Association> nts;
  if (options.nts) {
    auto associated = associate(given, options, clock);
    if (!associated) {
      servers.push_back(failed_server(given, associated.error(), ServerStatus::auth_failed));
      return;
    }
    nts = std::move(*associated);
    target.host = nts->ntp_host;
    target.port = nts->ntp_port;
  }
  auto addresses = platform::resolve(target.host, target.port);
  if (!addresses) {
    servers.push_back(failed_server(given, addresses.error(), ServerStatus::no_answer));
    return;
  }
  for (const auto& address : *addresses) {
    // The first address spends the cookies NTS-KE gave; any other makes its own NTS-KE.
    const bool first = &address == &addresses->front();
    auto auth = nts ? ntp::SourceAuth::nts(first ? std::optional(nts->session) : std::nullopt)
                : options.key ? ntp::SourceAuth::symmetric(*options.key)
                              : ntp::SourceAuth{};
    Server s;
    s.result.name = given.name;
    s.result.address = address;
    s.source = std::make_unique<ntp::Source>(std::move(auth), source_config(options), random);
    s.slot = driver.add(*s.source, address,
                        nts ? rekey_with(given, options, clock, address) : KeyExchangeHook{});
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

void conclude(Server& s, const SourceDriver& driver, const SessionOptions& options) {
  if (!s.source) return;  // did not resolve, or its NTS-KE failed
  auto outcome = result_of(*s.source, driver.error(*s.slot), options.timeout);
  outcome.name = std::move(s.result.name);
  outcome.address = s.result.address;
  s.result = std::move(outcome);
  if (!s.ignores_key) return;
  s.result.status = ServerStatus::auth_failed;
  s.result.error = fmt::format(
      "authentication failed: the server answers unauthenticated requests but not ours signed "
      "with key {} (wrong secret, or a key id it does not have)",
      options.key ? options.key->id().value : 0);
}

ServerStatus status_of(ntp::RejectReason reason) {
  using ntp::RejectReason;
  switch (reason) {
    case RejectReason::kiss_of_death:
      return ServerStatus::kiss_of_death;
    case RejectReason::unsynchronized:
      return ServerStatus::unsynchronized;
    case RejectReason::missing_mac:
    case RejectReason::crypto_nak:
    case RejectReason::bad_mac:
    case RejectReason::nts_nak:
      return ServerStatus::auth_failed;
    default:
      return ServerStatus::no_answer;
  }
}

std::string silence_of(ntp::Silence silence, std::string_view io_error, Duration timeout) {
  switch (silence) {
    case ntp::Silence::timeout:
      return fmt::format("no valid answer within {:g} s", to_seconds(timeout));
    case ntp::Silence::none:
      return "no answer";
    default:
      return io_error.empty() ? std::string("no answer") : std::string(io_error);
  }
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

ServerResult result_of(const ntp::Source& source, std::string_view io_error, Duration timeout) {
  ServerResult r;
  const auto& report = source.report();
  r.samples = report.samples;
  r.rejection = report.rejection;
  r.last_header = report.last_header;
  r.auth = source.auth().mode();
  if (const auto* session = source.auth().session()) {
    r.cookies = session->cookies();
    r.aead = session->aead();
  }
  if (!r.samples.empty()) {
    r.status = ServerStatus::ok;
    r.filter = source.filter(r.samples.back().measurement.time);
    return r;
  }
  if (r.rejection && r.rejection->answers_request()) {
    r.status = status_of(r.rejection->reason);
    r.error = ntp::describe(*r.rejection);
    return r;
  }
  r.status = report.silence == ntp::Silence::key_exchange_failed ? ServerStatus::auth_failed
                                                                 : ServerStatus::no_answer;
  r.error = silence_of(report.silence, io_error, timeout);
  if (r.rejection) r.error += " (last reply rejected: " + ntp::describe(*r.rejection) + ")";
  return r;
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
