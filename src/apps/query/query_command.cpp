// apps/query/query_command.cpp — `chronowatch query`: asks NTP servers for the time and prints
// their offsets, the falsetickers and the combined offset (seed 001's client, issue 2). The command
// line and composition root; the exchanges are in query_session, conclusions in query_report.
#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "apps/common/commands.h"
#include "apps/common/exit_codes.h"
#include "apps/common/key_loading.h"
#include "apps/query/query_report.h"
#include "apps/query/query_session.h"
#include "platform/clock_precision.h"
#include "platform/socket_address.h"
#include "platform/system_clock.h"
#include "platform/system_clock_adjuster.h"

namespace cw::apps {
namespace {

constexpr const char* kDefaultServer = "pool.ntp.org";

struct QueryFlags {
  std::vector<std::string> servers;       // positional SERVER[:PORT]
  std::vector<std::string> server_flags;  // seed 001's --server HOST
  std::uint16_t port = 123;
  int samples = 4;
  double timeout = 2.0;
  double interval = 1.0;
  std::string keyfile;
  std::optional<std::uint32_t> key;
  bool auth = false;
  bool json = false;
  bool adjust = false;
  bool dry_run = false;
  double step_threshold = 25.0;
  bool no_kernel_timestamps = false;
};

constexpr const char* kFooter = R"(Exit status:
  0  a usable answer (a combined offset) came
  1  runtime failure (e.g. the clock could not be adjusted)
  2  usage or configuration error
  3  no answer: timeout, connection refused, name not resolved, or only invalid replies
  4  Kiss-o'-Death (RATE: poll less often; DENY/RSTR: stop asking this server)
  5  authentication failed (missing or wrong MAC, crypto-NAK)
  6  the server is not synchronized (leap indicator 3 / stratum 16)
  7  servers answered but disagree (no majority; all are falsetickers)
When several servers fail and none is usable, the first of 5, 4, 6, 3 that applies is returned.

Examples:
  chronowatch query                                  # pool.ntp.org, 4 samples
  chronowatch query 127.0.0.1:11123 [::1]:11123 --json
  chronowatch query --server time.example --port 123 --auth       # key from NTP_SECRET_KEY
  chronowatch query ntp1 ntp2 ntp3 --adjust --dry-run             # what it would do to the clock
See docs/query.md.)";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "chronowatch query: %s\n", message.c_str());
  return kExitUsage;
}

// SERVER[:PORT] arguments and --server names, each with its port.
Result<std::vector<Target>, std::string> targets_of(const QueryFlags& f) {
  std::vector<std::string> names = f.servers;
  names.insert(names.end(), f.server_flags.begin(), f.server_flags.end());
  if (names.empty()) names.push_back(kDefaultServer);
  std::vector<Target> targets;
  for (const auto& name : names) {
    auto hp = platform::split_host_port(name);
    if (!hp) return fail(hp.error());
    targets.push_back(Target{name, hp->host, hp->port.value_or(f.port)});
  }
  return targets;
}

// The key to authenticate with: --keyfile/--key, or with --auth alone seed 001's NTP_SECRET_KEY.
// nullopt without authentication; a message (exit 2) when the key cannot be had.
Result<std::optional<ntp::Key>, std::string> key_of(const QueryFlags& f) {
  if (f.keyfile.empty() && !f.key) {
    if (!f.auth) return std::optional<ntp::Key>{};
    auto key = key_from_environment();
    if (!key)
      return fail(
          std::string("--auth needs NTP_SECRET_KEY in the environment, or --keyfile F --key ID"));
    return key;
  }
  if (f.keyfile.empty()) return fail(std::string("--key needs --keyfile"));
  if (!f.key) return fail(std::string("--keyfile needs --key ID (which key of the file to use)"));
  const auto store = load_key_file(f.keyfile);
  const ntp::Key* key = store.find(ntp::KeyId{*f.key});
  if (key == nullptr) return fail(fmt::format("key {} is not in {}", *f.key, f.keyfile));
  return std::optional<ntp::Key>{*key};
}

int run_query(const QueryFlags& f) {
  auto targets = targets_of(f);
  if (!targets) return usage_error(targets.error());
  if (f.dry_run && !f.adjust) return usage_error("--dry-run only goes with --adjust");
  std::optional<ntp::Key> key;
  try {
    auto found = key_of(f);
    if (!found) return usage_error(found.error());
    key = std::move(*found);
  } catch (const std::exception& e) {  // unreadable, world-readable or malformed keyfile
    return usage_error(e.what());
  }

  platform::SystemClock clock;
  platform::SystemRandom random;
  SessionOptions options;
  options.samples = f.samples;
  options.timeout = from_seconds(f.timeout);
  options.interval = from_seconds(f.interval);
  options.kernel_timestamps = !f.no_kernel_timestamps;
  options.key = key;
  options.local_precision = ntp::precision_duration(platform::measure_precision(clock));
  auto report = conclude(run_session(*targets, options, clock, random), clock.now());

  if (f.adjust) {
    std::unique_ptr<ClockAdjuster> real;
    if (!f.dry_run) real = std::make_unique<platform::SystemClockAdjuster>();
    try {
      adjust_clock(report, from_seconds(f.step_threshold), real.get());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "chronowatch query: could not adjust the clock: %s\n", e.what());
      return kExitFailure;
    }
  }
  if (f.json) {
    std::cout << render_json(report).dump(2) << '\n';
  } else {
    std::cout << render_table(report);
  }
  std::cout.flush();
  for (const auto& problem : report.problems)
    std::fprintf(stderr, "chronowatch query: %s\n", problem.c_str());
  return report.exit_status;
}

}  // namespace

void add_query_command(CLI::App& app, CommandBody& run) {
  auto* cmd = app.add_subcommand(
      "query",
      "Ask NTP servers for the time: offset, delay, jitter and falsetickers (RFC 5905), and "
      "optionally correct the local clock.");
  auto f = std::make_shared<QueryFlags>();
  cmd->add_option("servers", f->servers,
                  "SERVER[:PORT] to ask (default pool.ntp.org); IPv6 literals as [::1]:123");
  cmd->add_option("--server", f->server_flags, "a server to ask (seed 001's spelling; repeatable)");
  cmd->add_option("--port", f->port, "port for servers given without one")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  cmd->add_option("--samples", f->samples, "requests per server (RFC 5905 clock filter, 1-8 used)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--timeout", f->timeout, "seconds to wait for each answer")
      ->check(CLI::Range(0.001, 3600.0))
      ->capture_default_str();
  cmd->add_option("--interval", f->interval, "seconds between samples")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  cmd->add_option("--keyfile", f->keyfile,
                  "chrony keyfile (`ID TYPE HEX:...`) with the key to use");
  cmd->add_option("--key", f->key, "key id in --keyfile to authenticate with");
  cmd->add_flag("--auth", f->auth,
                "require authenticated replies; the key is --keyfile/--key, or NTP_SECRET_KEY "
                "(key id 1, type NTP_KEY_TYPE or HMAC-SHA256)");
  cmd->add_flag("--json", f->json, "print one JSON object instead of the table");
  cmd->add_flag("--adjust", f->adjust,
                "correct this machine's clock by the combined offset: step when |offset| > "
                "--step-threshold, slew otherwise (needs CAP_SYS_TIME)");
  cmd->add_option("--step-threshold", f->step_threshold, "seconds above which --adjust steps")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  cmd->add_flag("--dry-run", f->dry_run, "with --adjust: print what would be done, change nothing");
  cmd->add_flag("--no-kernel-timestamps", f->no_kernel_timestamps,
                "take T4 from the clock instead of SO_TIMESTAMPNS (for clocks shifted in user "
                "space, e.g. libfaketime)");
  cmd->footer(kFooter);
  cmd->callback([&run, f] { run = [f] { return run_query(*f); }; });
}

}  // namespace cw::apps
