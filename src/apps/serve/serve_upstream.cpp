// apps/serve/serve_upstream.cpp — the upstream sync thread of `chronowatch serve`
// (apps/serve_upstream.h).
#include "apps/serve/serve_upstream.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "ntp/nts/client_session.h"
#include "ntp/source.h"
#include "platform/socket_address.h"

namespace cw::apps {

struct UpstreamSync::Upstream {
  std::size_t index = 0;
  std::string name;
  std::string host;
  std::uint16_t port = 123;
  std::unique_ptr<ntp::Source> source;
  bool joined = false;   // in the driver
  bool stopped = false;  // a name that cannot be one
  MonotonicTime retry{};
  int rejections_logged = 0;
  bool gone_logged = false;
};

namespace {

// An upstream that does not resolve yet (DNS not up at boot) is tried again at the minimum poll,
// but not every second in a lab (--min-poll 0) nor once in 36 h (--min-poll 17): 8 to 64 s.
std::chrono::seconds resolve_retry(const ntp::PollPolicy& poll) {
  return std::clamp(std::chrono::seconds(std::int64_t{1} << poll.min_log2), std::chrono::seconds(8),
                    std::chrono::seconds(64));
}

}  // namespace

UpstreamSync::UpstreamSync(std::vector<std::string> servers, Clock& clock, Random& random,
                           SharedServerState& state, ntp::Precision precision, ntp::PollPolicy poll,
                           ClockAdjuster* adjuster, Duration step_threshold,
                           std::optional<std::uint8_t> local_stratum)
    : clock_(clock),
      random_(random),
      state_(state),
      precision_(precision),
      poll_(poll),
      combiner_(servers.size(), precision, adjuster, step_threshold, local_stratum) {
  for (std::size_t i = 0; i < servers.size(); ++i) {
    auto u = std::make_unique<Upstream>();
    u->index = i;
    u->name = servers[i];
    auto split = platform::split_host_port(u->name);
    if (split) {
      u->host = split->host;
      u->port = split->port.value_or(123);
    } else {
      spdlog::error("serve: upstream '{}': {}; not polling it", u->name, split.error());
      u->stopped = true;
    }
    upstreams_.push_back(std::move(u));
  }
}

UpstreamSync::~UpstreamSync() { stop(); }

void UpstreamSync::start() {
  thread_ = std::thread([this] { run(); });
}

void UpstreamSync::stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

void UpstreamSync::use_nts(apps::nts::KeClientOptions options, std::uint16_t ke_port) {
  nts_ = std::move(options);
  nts_ke_port_ = ke_port;
}

// NTS-KE with the upstream's host (RFC 8915 §4): keys, cookies, and the NTP port it named.
Result<Rekeyed, std::string> UpstreamSync::key_exchange(Upstream& u) {
  auto ke = apps::nts::key_exchange(u.host, nts_ke_port_, *nts_, clock_);
  if (!ke) {
    spdlog::warn("serve: upstream {}: {}; retrying in {} s", u.name, ke.error(),
                 resolve_retry(poll_).count());
    return fail(ke.error());
  }
  auto session = ntp::nts::ClientSession::make(ke->keys, std::move(ke->cookies));
  if (!session) return fail(std::string("NTS-KE gave keys of the wrong length"));
  const std::uint16_t port = ke->ntp_port != 0 ? ke->ntp_port : u.port;
  spdlog::info("serve: upstream {}: NTS-KE done ({} cookies), NTP on port {}", u.name,
               session->cookies(), port);
  auto addresses = platform::resolve(u.host, port);
  if (!addresses || addresses->empty())
    return fail(addresses ? std::string("no address") : addresses.error());
  return Rekeyed{std::move(*session), addresses->front()};
}

// Resolves the upstream (NTS-KE first with --nts) and hands it to the driver on its schedule.
void UpstreamSync::resolve(Upstream& u, SourceDriver& driver) {
  u.retry = clock_.monotonic_now() + resolve_retry(poll_);
  ntp::SourceConfig config;
  config.poll = poll_;
  config.timeout = std::chrono::seconds(1);
  config.local_precision = precision_.duration();
  config.rekey_retry = resolve_retry(poll_);
  std::optional<Rekeyed> keyed;
  if (nts_) {
    auto ke = key_exchange(u);
    if (!ke) return;
    keyed = std::move(*ke);
  }
  auto addresses =
      keyed
          ? Result<std::vector<platform::SocketAddress>, std::string>(std::vector{*keyed->address})
          : platform::resolve(u.host, u.port);
  if (!addresses || addresses->empty()) {
    spdlog::warn("serve: upstream '{}' does not resolve ({}); retrying in {} s", u.name,
                 addresses ? std::string("no address") : addresses.error(),
                 resolve_retry(poll_).count());
    return;
  }
  auto auth = keyed ? ntp::SourceAuth::nts(std::move(keyed->session)) : ntp::SourceAuth{};
  u.source = std::make_unique<ntp::Source>(std::move(auth), config, random_);
  const auto slot = driver.add(
      *u.source, addresses->front(),
      nts_ ? KeyExchangeHook([this, &u] { return key_exchange(u); }) : KeyExchangeHook{});
  by_slot_.push_back(&u);
  u.joined = true;
  combiner_.track(u.index, *u.source, driver.address(slot).address);
  driver.apply(slot, u.source->start(clock_.monotonic_now()));
}

bool UpstreamSync::join_due() const {
  const auto now = clock_.monotonic_now();
  return std::any_of(upstreams_.begin(), upstreams_.end(),
                     [now](const auto& u) { return !u->joined && !u->stopped && u->retry <= now; });
}

void UpstreamSync::join(SourceDriver& driver) {
  const auto now = clock_.monotonic_now();
  for (auto& u : upstreams_)
    if (!u->joined && !u->stopped && u->retry <= now) resolve(*u, driver);
}

void UpstreamSync::record(std::size_t slot, const SourceDriver& driver) {
  Upstream& u = *by_slot_.at(slot);
  const ntp::Sample* sample = u.source->last();
  if (sample == nullptr) return;
  combiner_.track(u.index, *u.source, driver.address(slot).address);  // NTS-KE may move it
  auto snapshot = combiner_.update(clock_.now());
  if (!snapshot) return;
  state_.publish(*snapshot);
  if (!synchronized_.exchange(true))
    spdlog::info("serve: synchronized to {} (stratum {}), serving stratum {}, offset {:+.6f} s",
                 upstreams_[*combiner_.system_peer()]->name, snapshot->state.stratum.value - 1,
                 snapshot->state.stratum.value, to_seconds(snapshot->offset));
  spdlog::debug("serve: {} offset {:+.6f} s delay {:.6f} s; combined {:+.6f} s", u.name,
                to_seconds(sample->offset()), to_seconds(sample->delay()),
                to_seconds(snapshot->offset));
}

// After every turn of the driver: each new Kiss-o'-Death or refusal said once in the log, and the
// check for every upstream lost.
void UpstreamSync::after_turn() {
  for (auto* u : by_slot_) {
    const auto& report = u->source->report();
    if (report.answered_rejections != u->rejections_logged && report.rejection) {
      u->rejections_logged = report.answered_rejections;
      spdlog::warn("serve: upstream {}: {}", u->name, ntp::describe(*report.rejection));
    }
    if (u->source->demobilized() && !u->gone_logged) {
      u->gone_logged = true;
      spdlog::warn("serve: upstream {}: not polling it any more", u->name);
    }
  }
  check_lost();
}

// Every upstream unreachable (RFC 5905 §13: reach register empty) after having been synchronized:
// serve the fallback instead of the last upstream state forever, and tell the operator once.
void UpstreamSync::check_lost() {
  const auto fallback = combiner_.lost(clock_.now(), state_.current());
  if (!fallback) return;
  synchronized_.store(false);
  state_.publish(*fallback);
  std::string names;
  for (const auto& u : upstreams_) names += (names.empty() ? "" : ", ") + u->name;
  const auto what = fallback->state.synchronized()
                        ? fmt::format("serving the local clock at stratum {} (refid LOCL)",
                                      fallback->state.stratum.value)
                        : std::string(
                              "serving leap 3 (unsynchronized, stratum 16); give --local-stratum N "
                              "to serve the local clock instead");
  spdlog::warn(
      "serve: upstreams lost: none of {} answered its last 8 polls; {}. Check that they run and "
      "that "
      "UDP to them is not blocked; the first to answer again takes over",
      names, what);
}

void UpstreamSync::run() {
  SourceDriver driver(clock_, {}, [&](std::size_t slot) { record(slot, driver); });
  while (!stopping_.load()) {
    join(driver);
    driver.run_until(
        [this] {
          after_turn();
          return stopping_.load() || join_due();
        },
        std::chrono::milliseconds(250));
  }
}

}  // namespace cw::apps
