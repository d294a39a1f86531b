// apps/query/query_session.cpp — rounds of NTP exchanges for `chronowatch query` (see
// query_session.h).
#include "apps/query/query_session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <thread>

#include "platform/udp_client.h"

namespace cw::apps {
namespace {

struct Server {
  ServerResult result;
  std::unique_ptr<platform::UdpClient> client;
  ntp::ClockFilter filter;
  bool active = true;
  std::string silence;  // why the last request got no valid answer
  bool timed_out = false;
  bool ignores_key = false;  // answers unauthenticated requests, not ours (see probe_without_key)
  std::shared_ptr<NtsAssociation> nts;  // NTS keys and cookies after NTS-KE
};

struct InFlight {
  Server* server;
  ntp::PendingRequest request;
  Timestamp sent_at;
  MonotonicTime deadline;
};

Server failed_server(const Target& target, std::string error, ServerStatus status) {
  Server failed;
  failed.result.name = target.name;
  failed.result.error = std::move(error);
  failed.result.status = status;
  failed.active = false;
  return failed;
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

std::vector<Server> resolve_all(const std::vector<Target>& targets, Clock& clock,
                                const SessionOptions& options) {
  std::vector<Server> servers;
  for (const auto& given : targets) {
    Target target = given;
    std::shared_ptr<NtsAssociation> nts;
    if (options.nts) {
      auto associated = associate(given, options, clock);
      if (!associated) {
        servers.push_back(failed_server(given, associated.error(), ServerStatus::auth_failed));
        continue;
      }
      nts = *associated;
      target.host = nts->ntp_host;
      target.port = nts->ntp_port;
    }
    auto addresses = platform::resolve(target.host, target.port);
    if (!addresses) {
      servers.push_back(failed_server(given, addresses.error(), ServerStatus::no_answer));
      continue;
    }
    for (const auto& address : *addresses) {
      Server s;
      s.filter = ntp::ClockFilter(options.local_precision);
      s.result.name = target.name;
      s.result.address = address;
      s.result.auth = nts           ? ntp::AuthMode::nts
                      : options.key ? ntp::AuthMode::symmetric
                                    : ntp::AuthMode::none;
      if (nts) s.result.aead = nts->session->aead();
      s.nts = nts;
      s.client = std::make_unique<platform::UdpClient>(
          address, clock, platform::UdpClient::Options{options.kernel_timestamps});
      servers.push_back(std::move(s));
    }
  }
  return servers;
}

// The request for server s: NTS (one cookie from its jar), keyed, or plain. nullopt when an NTS
// server has no cookie left.
std::optional<ntp::PendingRequest> request_for(Server& s, const SessionOptions& options,
                                               Random& random) {
  if (s.nts) {
    auto nts = s.nts->session->next_request();
    if (!nts) return std::nullopt;
    return ntp::make_request(random, ntp::ClientAuth::nts(std::move(*nts)));
  }
  return options.key ? ntp::make_request(random, *options.key) : ntp::make_request(random);
}

void on_rejection(Server& s, const ntp::Rejection& rejection) {
  spdlog::debug("{}: reply rejected: {}", s.result.address.to_string(), ntp::describe(rejection));
  if (rejection.server) s.result.last_header = rejection.server;
  s.result.rejection = rejection;
  if (rejection.reason == ntp::RejectReason::kiss_of_death) {
    // RATE asks to poll less often and DENY/RSTR to stop (RFC 5905 §7.4): either way, a one-shot
    // query asks this server nothing more.
    s.active = false;
  }
}

void on_silence(Server& s, platform::ReceiveError error, const SessionOptions& options) {
  s.timed_out = error == platform::ReceiveError::timeout;
  s.silence = error == platform::ReceiveError::timeout
                  ? fmt::format("no valid answer within {:g} s", to_seconds(options.timeout))
                  : platform::to_string(error);
  // A server that never answered is given up after its first request, so that a dead server
  // costs one timeout, not one per sample.
  if (s.result.samples.empty() || error != platform::ReceiveError::timeout) s.active = false;
}

void await_reply(InFlight& f, const SessionOptions& options) {
  std::array<std::byte, ntp::kMaxPacketSize + 4> buffer{};
  Server& s = *f.server;
  for (;;) {
    auto got = s.client->receive(buffer, f.deadline);
    if (!got) return on_silence(s, got.error(), options);
    auto sample = ntp::accept_reply(got->bytes, f.request, f.sent_at, got->received_at,
                                    options.local_precision);
    if (sample) {
      if (s.nts) s.nts->session->on_reply(std::move(sample->cookies));
      s.result.last_header = sample->server;
      s.filter.add(sample->measurement);
      s.result.samples.push_back(std::move(*sample));
      return;
    }
    on_rejection(s, sample.error());
    if (s.nts && sample.error().reason == ntp::RejectReason::nts_nak) s.nts->session->on_nak();
    if (sample.error().answers_request())
      return;  // the server's genuine answer: none better follows
  }
}

void run_round(std::vector<Server>& servers, const SessionOptions& options, Clock& clock,
               Random& random) {
  std::vector<InFlight> flights;
  for (auto& s : servers) {
    if (!s.active) continue;
    auto request = request_for(s, options, random);
    if (!request) {
      s.silence = "no NTS cookie left (a new NTS-KE is needed)";
      s.active = false;
      continue;
    }
    try {
      const Timestamp t1 = s.client->send(request->datagram());
      flights.push_back({&s, std::move(*request), t1, clock.monotonic_now() + options.timeout});
    } catch (const std::system_error& e) {
      s.silence = e.what();
      s.active = false;
    }
  }
  // Replies queue in each socket (with their kernel timestamps) while we wait on another one.
  for (auto& f : flights) await_reply(f, options);
}

// chronyd (like ntpd) stays silent when a request's MAC does not verify or its key id is unknown,
// so a wrong key looks like a dead server. When an authenticated query got no reply at all, one
// unauthenticated request tells the two apart: if that one is answered, the server is alive and
// ignores our key. The probe's answer is only a diagnosis, never a time sample.
void probe_without_key(std::vector<Server>& servers, const SessionOptions& options, Clock& clock,
                       Random& random) {
  if (!options.key) return;
  std::vector<InFlight> flights;
  for (auto& s : servers) {
    if (!s.client || !s.result.samples.empty() || s.result.rejection || !s.timed_out) continue;
    auto request = ntp::make_request(random);
    try {
      const Timestamp t1 = s.client->send(request.datagram());
      flights.push_back({&s, request, t1, clock.monotonic_now() + options.timeout});
    } catch (const std::system_error&) {
      continue;
    }
  }
  std::array<std::byte, ntp::kMaxPacketSize + 4> buffer{};
  for (auto& f : flights) {
    for (;;) {
      auto got = f.server->client->receive(buffer, f.deadline);
      if (!got) break;
      auto reply = ntp::accept_reply(got->bytes, f.request, f.sent_at, got->received_at);
      if (reply || reply.error().answers_request()) {
        f.server->ignores_key = true;
        break;
      }
    }
  }
}

void conclude(Server& s, const SessionOptions& options) {
  auto& r = s.result;
  if (s.nts) r.cookies = s.nts->session->cookies();
  if (!r.samples.empty()) {
    r.status = ServerStatus::ok;
    r.filter = s.filter.output(r.samples.back().measurement.time);
    r.error.clear();
    return;
  }
  if (!r.error.empty()) return;  // did not resolve
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
  r.status = ServerStatus::no_answer;
  r.error = s.silence.empty() ? "no answer" : s.silence;
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

std::vector<ServerResult> run_session(const std::vector<Target>& targets,
                                      const SessionOptions& options, Clock& clock, Random& random) {
  auto servers = resolve_all(targets, clock, options);
  for (int round = 0; round < options.samples; ++round) {
    const bool any =
        std::any_of(servers.begin(), servers.end(), [](const Server& s) { return s.active; });
    if (!any) break;
    if (round > 0) std::this_thread::sleep_for(options.interval);
    run_round(servers, options, clock, random);
  }
  probe_without_key(servers, options, clock, random);
  std::vector<ServerResult> results;
  for (auto& s : servers) {
    conclude(s, options);
    results.push_back(std::move(s.result));
  }
  return results;
}

}  // namespace cw::apps
