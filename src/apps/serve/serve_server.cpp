// apps/serve/serve_server.cpp — the composition root of `chronowatch serve`: turns options into the
// responder's configuration, binds every socket, drops privileges, starts the workers (and the
// upstream sync), then waits for signals: SIGUSR1 prints the counters, SIGTERM/SIGINT stop.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <stdexcept>
#include <thread>

#include "apps/common/daemon_start.h"
#include "apps/common/exit_codes.h"
#include "apps/common/key_loading.h"
#include "apps/serve/serve_metrics.h"
#include "apps/serve/serve_nts.h"
#include "apps/serve/serve_options.h"
#include "apps/serve/serve_report.h"
#include "apps/serve/serve_runtime.h"
#include "apps/serve/serve_upstream.h"
#include "ntp/poll_schedule.h"
#include "platform/clock_precision.h"
#include "platform/privileges.h"
#include "platform/system_clock.h"
#include "platform/system_clock_adjuster.h"
#include "web/metrics_server.h"

namespace cw::apps {
namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct KeysError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The keyfile's keys, plus seed 001's NTP_SECRET_KEY as key 1.
std::shared_ptr<const ntp::KeyStore> load_keys(const ServeOptions& o) {
  auto keys = std::make_shared<ntp::KeyStore>();
  try {
    if (!o.keyfile.empty()) *keys = load_key_file(o.keyfile);
    if (auto secret = key_from_environment()) {
      if (!keys->add(*secret))
        throw std::runtime_error(
            "NTP_SECRET_KEY is key 1, but the keyfile already has a key 1; remove one of them");
    }
  } catch (const std::exception& e) {
    throw KeysError(e.what());
  }
  if (o.require_auth && keys->empty())
    throw KeysError("--require-auth needs keys: give --keyfile or set NTP_SECRET_KEY");
  return keys;
}

std::vector<platform::SocketAddress> listen_endpoints(const ServeOptions& o) {
  const std::vector<std::string> texts =
      o.listen.empty() ? std::vector<std::string>{"*:123", "[::]:123"} : o.listen;
  std::vector<platform::SocketAddress> out;
  for (const auto& text : texts) {
    auto e = platform::parse_listen_address(text);
    if (!e)
      throw UsageError("--listen '" + text +
                       "' is not ADDR:PORT (e.g. 0.0.0.0:123, [::]:123, 127.0.0.1:11123)");
    out.push_back(*e);
  }
  return out;
}

// --allow and --deny as the responder's access list.
void access_rules(const ServeOptions& o, ntp::ResponderConfig& c) {
  for (const auto& text : o.allow) {
    auto p = IpPrefix::parse(text);
    if (!p) throw UsageError("--allow '" + text + "' is not a CIDR prefix (e.g. 10.0.0.0/8)");
    c.access.allow(*p);
  }
  for (const auto& text : o.deny) {
    auto p = IpPrefix::parse(text);
    if (!p) throw UsageError("--deny '" + text + "' is not a CIDR prefix (e.g. 192.0.2.0/24)");
    c.access.deny(*p);
  }
}

ntp::ResponderConfig responder_config(const ServeOptions& o) {
  ntp::ResponderConfig c;
  access_rules(o, c);
  c.rate_limit.interval = from_seconds(o.rate_interval);
  c.rate_limit.burst = static_cast<std::uint32_t>(o.rate_burst);
  c.rate_limit.kod_interval = from_seconds(o.kod_interval);
  c.rate_limit.table_entries = static_cast<std::size_t>(o.rate_table);
  c.require_auth = o.require_auth;
  c.require_nts = o.require_nts;
  c.keys = load_keys(o);
  if (!c.keys->empty())
    spdlog::info("serve: {} key(s) loaded{}", c.keys->size(),
                 o.require_auth ? "; authentication required" : "");
  return c;
}

std::vector<std::string> upstreams(const ServeOptions& o) {
  if (!o.upstream_given)
    return o.local_stratum ? std::vector<std::string>{} : std::vector<std::string>{"pool.ntp.org"};
  std::vector<std::string> out;
  for (const auto& u : o.upstream)
    if (u != "none" && !u.empty()) out.push_back(u);
  return out;
}

void block_signals(sigset_t& set) {
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGHUP}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before any thread exists: all inherit it
}

ServeReport make_report(const ServerWorkers& workers, const SharedServerState& state,
                        const ServeNts* nts, const char* event) {
  ServeReport report{workers.totals(), state.current(), event};
  if (nts) report.nts = nts->ke_counts();
  return report;
}

// The counters on stdout (a table, or one JSON line with --json), and the NTS line in the log.
void print_report(const ServeOptions& o, const ServerWorkers& workers,
                  const SharedServerState& state, const ServeNts* nts, const char* event) {
  const ServeReport report = make_report(workers, state, nts, event);
  const std::string text = o.json ? format_report_json(report) + "\n" : format_report_text(report);
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
  if (nts) spdlog::info("serve: {}", format_nts_line(report));
}

// Keeps a served local clock's reference time current (chrony's `local` does the same), but only
// while the served state is that local clock: an upstream that synchronized meanwhile wins.
void refresh_local_clock(const ServeOptions& o, SharedServerState& state, Clock& clock,
                         ntp::Precision precision) {
  if (!o.local_stratum) return;
  const auto stratum = static_cast<std::uint8_t>(*o.local_stratum);
  state.update([&](SharedServerState::Snapshot& snap) {
    const bool serving_local = snap.state.reference_id == ntp::RefId::from_ascii("LOCL") &&
                               snap.state.stratum == ntp::Stratum{stratum};
    if (serving_local) snap.state = ntp::local_state(stratum, precision, clock.now() + snap.offset);
    return serving_local;
  });
}

// SIGHUP (systemctl reload): the keyfile and the NTS key file again. A file that cannot be used
// leaves the keys in use as they were, with one line saying why.
void reload(const ServeOptions& o, ServerWorkers& workers, ServeNts* nts) {
  try {
    auto keys = load_keys(o);
    const auto count = keys->size();
    workers.replace_keys(std::move(keys));
    spdlog::info("serve: SIGHUP: {} key(s) loaded{}", count,
                 o.keyfile.empty() ? "" : " from " + o.keyfile);
  } catch (const KeysError& e) {
    spdlog::error("serve: SIGHUP: keeping the keys in use: {}", e.what());
  }
  if (!nts) return;
  try {
    spdlog::info("serve: SIGHUP: {}", nts->reload());
  } catch (const std::runtime_error& e) {
    spdlog::error("serve: SIGHUP: keeping the NTS cookie keys in use: {}", e.what());
  }
}

// Waits for signals; refreshes a served local clock once a second.
void wait_for_stop(const ServeOptions& o, ServerWorkers& workers, SharedServerState& state,
                   Clock& clock, ntp::Precision precision, ServeNts* nts) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGHUP}) sigaddset(&set, s);
  const timespec tick{1, 0};
  for (;;) {
    const int sig = sigtimedwait(&set, nullptr, &tick);
    if (sig == SIGTERM || sig == SIGINT) {
      spdlog::info("serve: {} received, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      return;
    }
    if (sig == SIGHUP) reload(o, workers, nts);
    if (sig == SIGUSR1) print_report(o, workers, state, nts, "signal");
    refresh_local_clock(o, state, clock, precision);
    if (nts) nts->tick();
  }
}

// --min-poll/--max-poll as a poll policy; a range that makes no sense is a usage error.
ntp::PollPolicy poll_policy(const ServeOptions& o) {
  auto policy = ntp::poll_policy(o.min_poll, o.max_poll);
  if (!policy) throw UsageError(policy.error());
  return *policy;
}

int serve(const ServeOptions& o) {
  const auto poll = poll_policy(o);
  const auto listen = listen_endpoints(o);
  WorkerSetup setup{listen,
                    o.threads > 0 ? static_cast<std::size_t>(o.threads)
                                  : std::max(1u, std::thread::hardware_concurrency()),
                    responder_config(o), 64};
  setup.spin = std::chrono::microseconds(o.spin_us);
  platform::SystemClock clock;
  platform::SystemRandom random;
  std::unique_ptr<ServeNts> nts;
  try {
    nts = ServeNts::make(o, random, clock);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  if (nts) setup.responder.nts = nts->cookies();
  const ntp::Precision precision{platform::measure_precision(clock)};
  const auto sources = upstreams(o);
  SharedServerState::Snapshot initial{ntp::unsynchronized_state(precision), Duration::zero()};
  if (o.local_stratum)
    initial.state =
        ntp::local_state(static_cast<std::uint8_t>(*o.local_stratum), precision, clock.now());
  SharedServerState state(initial);
  sigset_t blocked;
  block_signals(blocked);
  std::unique_ptr<ServerWorkers> workers;
  try {
    workers = std::make_unique<ServerWorkers>(setup, clock, state, random);
  } catch (const std::system_error& e) {
    std::fprintf(stderr,
                 "chronowatch serve: %s (port 123 needs root or CAP_NET_BIND_SERVICE; is another "
                 "NTP server running?)\n",
                 e.what());
    return kExitServeCannotBind;
  }
  DaemonStart daemon;  // the notify socket is opened before privileges are dropped
  if (nts) {
    try {
      nts->start(workers->bound().front().port);
    } catch (const std::runtime_error& e) {
      std::fprintf(stderr, "chronowatch serve: %s\n", e.what());
      return kExitServeCannotBind;
    }
  }
  std::unique_ptr<ClockAdjuster> adjuster;  // declared first: it outlives the sync thread
  std::unique_ptr<UpstreamSync> sync;
  if (o.discipline)
    adjuster = std::make_unique<platform::SystemClockAdjuster>();  // explicit flag only
  if (!sources.empty())
    sync = std::make_unique<UpstreamSync>(
        sources, clock, random, state, precision, poll, adjuster.get(),
        from_seconds(o.step_threshold),
        o.local_stratum ? std::optional<std::uint8_t>(static_cast<std::uint8_t>(*o.local_stratum))
                        : std::nullopt);
  if (sync && o.upstream_nts)
    sync->use_nts(apps::nts::KeClientOptions{o.nts_ca, std::chrono::seconds{5}},
                  static_cast<std::uint16_t>(o.nts_ke_port));
  if (!o.user.empty()) {
    try {
      platform::drop_privileges(o.user, o.discipline);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "chronowatch serve: %s\n", e.what());
      return kExitServePrivileges;
    }
  }
  std::unique_ptr<web::MetricsServer> metrics;
  if (!o.metrics.empty()) {
    try {
      metrics = std::make_unique<web::MetricsServer>(o.metrics, [&workers, &state, &nts] {
        return serve_metrics_text(make_report(*workers, state, nts.get(), "metrics"));
      });
    } catch (const std::exception& e) {
      std::fprintf(stderr, "chronowatch serve: %s\n", e.what());
      return kExitFailure;
    }
    spdlog::info("serve: metrics at http://{}/metrics", o.metrics);
  }
  workers->start();
  if (sync) sync->start();
  for (const auto& e : workers->bound())
    spdlog::info("serve: listening on {} with {} worker(s)", e.to_string(), setup.threads);
  spdlog::info(
      "serve: {}",
      sources.empty()
          ? (o.local_stratum
                 ? "serving the local clock at stratum " + std::to_string(*o.local_stratum)
                 : std::string("no upstream and no local stratum: serving unsynchronized (leap 3)"))
          : "syncing from " + std::to_string(sources.size()) + " upstream(s)");
  daemon.started("listening on " + workers->bound().front().to_string(),
                 o.no_seccomp ? std::nullopt
                              : std::optional(platform::SyscallFilterOptions{o.discipline, false}));
  wait_for_stop(o, *workers, state, clock, precision, nts.get());
  daemon.stopping();
  metrics.reset();
  if (sync) sync->stop();
  if (nts) nts->stop();
  workers->stop();
  print_report(o, *workers, state, nts.get(), "exit");
  return kExitOk;
}

}  // namespace

std::optional<std::string> serve_usage_problem(const ServeOptions& options) {
  try {
    poll_policy(options);
    listen_endpoints(options);
    ntp::ResponderConfig access;
    access_rules(options, access);
  } catch (const UsageError& e) {
    return e.what();
  }
  return std::nullopt;
}

int run_serve(const ServeOptions& options) {
  try {
    return serve(options);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "chronowatch serve: %s\n", e.what());
    return kExitUsage;
  } catch (const KeysError& e) {
    std::fprintf(stderr, "chronowatch serve: %s\n", e.what());
    return kExitServeKeys;
  }
}

}  // namespace cw::apps
