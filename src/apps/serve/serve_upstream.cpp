// apps/serve/serve_upstream.cpp — the upstream sync thread of `chronowatch serve`
// (apps/serve_upstream.h).
#include "apps/serve/serve_upstream.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <string>

#include "ntp/nts/client_session.h"
#include "ntp/poll_schedule.h"
#include "platform/socket_address.h"
#include "platform/udp_client.h"

namespace cw::apps {

struct UpstreamSync::Source {
  std::size_t index = 0;
  std::string name;
  std::optional<platform::SocketAddress> address;
  std::unique_ptr<platform::UdpClient> client;
  ntp::PollSchedule schedule;
  MonotonicTime next{};
  bool stopped = false;  // DENY / RSTR: the server asked us to stop (RFC 5905 §7.4)
  std::optional<ntp::nts::ClientSession> nts;  // with use_nts(): keys and cookies
};

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
    auto s = std::make_unique<Source>();
    s->index = i;
    s->name = servers[i];
    s->schedule = ntp::PollSchedule(poll);
    sources_.push_back(std::move(s));
  }
}

UpstreamSync::~UpstreamSync() { stop(); }

void UpstreamSync::start() {
  thread_ = std::thread([this] { run(); });
}

void UpstreamSync::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_.store(true);
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

namespace {

// An upstream that does not resolve yet (DNS not up at boot) is tried again at the minimum poll,
// but not every second in a lab (--min-poll 0) nor once in 36 h (--min-poll 17): 8 to 64 s.
std::chrono::seconds resolve_retry(const ntp::PollPolicy& poll) {
  return std::clamp(std::chrono::seconds(std::int64_t{1} << poll.min_log2), std::chrono::seconds(8),
                    std::chrono::seconds(64));
}

}  // namespace

void UpstreamSync::use_nts(apps::nts::KeClientOptions options, std::uint16_t ke_port) {
  nts_ = std::move(options);
  nts_ke_port_ = ke_port;
}

// NTS-KE with host (RFC 8915 §4); on success `port` becomes the NTP port it named.
bool UpstreamSync::key_exchange(Source& s, const std::string& host, std::uint16_t& port) {
  auto ke = apps::nts::key_exchange(host, nts_ke_port_, *nts_, clock_);
  if (!ke) {
    spdlog::warn("serve: upstream {}: {}; retrying in {} s", s.name, ke.error(),
                 resolve_retry(poll_).count());
    return false;
  }
  s.nts = ntp::nts::ClientSession::make(ke->keys, std::move(ke->cookies));
  if (!s.nts) return false;
  if (ke->ntp_port != 0) port = ke->ntp_port;
  spdlog::info("serve: upstream {}: NTS-KE done ({} cookies), NTP on port {}", s.name,
               s.nts->cookies(), port);
  return true;
}

void UpstreamSync::resolve(Source& s) {
  auto split = platform::split_host_port(s.name);
  if (!split) {
    spdlog::error("serve: upstream '{}': {}; not polling it", s.name, split.error());
    s.stopped = true;
    return;
  }
  std::uint16_t port = split->port.value_or(123);
  if (nts_ && !key_exchange(s, split->host, port)) return;
  auto addresses = platform::resolve(split->host, port);
  if (!addresses || addresses->empty()) {
    spdlog::warn("serve: upstream '{}' does not resolve ({}); retrying in {} s", s.name,
                 addresses ? std::string("no address") : addresses.error(),
                 resolve_retry(poll_).count());
    return;
  }
  s.address = addresses->front();
  try {
    s.client = std::make_unique<platform::UdpClient>(*s.address, clock_);
  } catch (const std::exception& e) {
    spdlog::warn("serve: upstream {}: {}", s.name, e.what());
    s.address.reset();
  }
}

void UpstreamSync::record(Source& s, const ntp::Sample& sample) {
  const bool agrees = combiner_.add(s.index, s.address->address, sample);
  s.next = clock_.monotonic_now() + s.schedule.after_sample(agrees);
  auto snapshot = combiner_.update(clock_.now());
  if (!snapshot) return;
  state_.publish(*snapshot);
  if (!synchronized_.exchange(true))
    spdlog::info("serve: synchronized to {} (stratum {}), serving stratum {}, offset {:+.6f} s",
                 sources_[*combiner_.system_peer()]->name, snapshot->state.stratum.value - 1,
                 snapshot->state.stratum.value, to_seconds(snapshot->offset));
  spdlog::debug("serve: {} offset {:+.6f} s delay {:.6f} s; combined {:+.6f} s", s.name,
                to_seconds(sample.offset()), to_seconds(sample.delay()),
                to_seconds(snapshot->offset));
}

void UpstreamSync::poll(Source& s) {
  if (nts_ && (!s.nts || s.nts->needs_key_exchange())) s.client.reset();  // NTS-KE again
  if (!s.client) resolve(s);
  if (!s.client) {
    s.next = clock_.monotonic_now() + resolve_retry(poll_);
    return;
  }
  auto next = s.nts ? s.nts->next_request() : std::nullopt;
  const auto made = next ? ntp::make_request(random_, ntp::ClientAuth::nts(std::move(*next)))
                         : std::optional(ntp::make_request(random_));
  if (!made) return;
  const auto& request = *made;
  combiner_.polled(s.index);
  Timestamp t1;
  try {
    t1 = s.client->send(request.datagram());
  } catch (const std::exception& e) {
    spdlog::warn("serve: upstream {}: {}", s.name, e.what());
    s.next = clock_.monotonic_now() + s.schedule.after_no_answer();
    return;
  }
  const auto deadline = clock_.monotonic_now() + std::chrono::seconds(1);
  std::array<std::byte, ntp::kMaxPacketSize> buffer{};
  for (;;) {
    auto got = s.client->receive(buffer, deadline);
    if (!got) break;
    auto sample =
        ntp::accept_reply(got->bytes, request, t1, got->received_at, precision_.duration());
    if (sample && s.nts) s.nts->on_reply(std::move(sample->cookies));
    if (sample) return record(s, *sample);
    const auto& rejection = sample.error();
    if (s.nts && rejection.reason == ntp::RejectReason::nts_nak) s.nts->on_nak();
    if (!rejection.answers_request()) continue;  // a stray or forgery: keep waiting
    spdlog::warn("serve: upstream {}: {}", s.name, ntp::describe(rejection));
    if (rejection.kiss_code && ntp::kiss_action(*rejection.kiss_code) == ntp::KissAction::stop) {
      s.stopped = true;
      return;
    }
    if (rejection.kiss_code &&
        ntp::kiss_action(*rejection.kiss_code) == ntp::KissAction::back_off) {
      const auto poll_log2 =
          rejection.server ? rejection.server->poll.log2_seconds : std::int8_t{0};
      s.next = clock_.monotonic_now() + s.schedule.after_kiss_rate(poll_log2);
      return;
    }
    break;
  }
  s.next = clock_.monotonic_now() + s.schedule.after_no_answer();
}

// Every upstream unreachable (RFC 5905 §13: reach register empty) after having been synchronized:
// serve the fallback instead of the last upstream state forever, and tell the operator once.
void UpstreamSync::check_lost() {
  const auto fallback = combiner_.lost(clock_.now(), state_.current());
  if (!fallback) return;
  synchronized_.store(false);
  state_.publish(*fallback);
  std::string names;
  for (const auto& s : sources_) names += (names.empty() ? "" : ", ") + s->name;
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
  while (!stopping_.load()) {
    Source* due = nullptr;
    for (auto& s : sources_)
      if (!s->stopped && (due == nullptr || s->next < due->next)) due = s.get();
    const auto now = clock_.monotonic_now();
    if (due == nullptr || due->next > now) {
      const auto wait = due == nullptr
                            ? std::chrono::seconds(1)
                            : std::min<Duration>(due->next - now, std::chrono::seconds(1));
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, wait, [this] { return stopping_.load(); });
      continue;
    }
    poll(*due);
    check_lost();
  }
}

}  // namespace cw::apps
