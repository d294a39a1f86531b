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
#include "apps/common/options.h"
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
  bool kernel_timestamps = true;
  bool nts = false;
  std::string nts_ca;
  std::uint16_t nts_ke_port = ntp::nts::kDefaultKePort;
  unsigned nts_aead = 15;  // offered first (15 alone, or 17 then 15)
  // Checked and resolved while parsing (resolve()):
  std::vector<Target> targets;
  std::optional<ntp::Key> resolved_key;
};

constexpr const char* kFooter = R"(Exit status:
  0  a usable answer (a combined offset) came
  1  runtime failure (e.g. the clock could not be adjusted)
  2  usage or configuration error
  3  no answer: timeout, connection refused, name not resolved, or only invalid replies
  4  Kiss-o'-Death (RATE: poll less often; DENY/RSTR: stop asking this server)
  5  authentication failed (missing or wrong MAC, crypto-NAK; NTS: TLS or certificate, NTS-KE
     error, NTSN, authenticator mismatch)
  6  the server is not synchronized (leap indicator 3 / stratum 16)
  7  servers answered but disagree (no majority; all are falsetickers)
When several servers fail and none is usable, the first of 5, 4, 6, 3 that applies is returned.

Examples:
  chronowatch query                                  # pool.ntp.org, 4 samples
  chronowatch query 127.0.0.1:11123 [::1]:11123 --json
  chronowatch query --server time.example --port 123 --auth       # key from NTP_SECRET_KEY
  chronowatch query --nts time.cloudflare.com                     # NTS (RFC 8915), system CAs
  chronowatch query --nts --nts-ca ca.pem --nts-ke-port 4460 ntp.example --json
  chronowatch query ntp1 ntp2 ntp3 --adjust --dry-run             # what it would do to the clock
See docs/query.md.)";

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
      return fail(std::string(
          "--auth needs NTP_SECRET_KEY in the environment, or --keyfile F --key-id ID"));
    return key;
  }
  if (f.keyfile.empty()) return fail(std::string("--key-id needs --keyfile"));
  if (!f.key)
    return fail(std::string("--keyfile needs --key-id ID (which key of the file to use)"));
  const auto store = load_key_file(f.keyfile);
  const ntp::Key* key = store.find(ntp::KeyId{*f.key});
  if (key == nullptr) return fail(fmt::format("key {} is not in {}", *f.key, f.keyfile));
  return std::optional<ntp::Key>{*key};
}

// From the parse callback: servers, flags that need each other and the key, checked and resolved
// (a usage error, exit 2, naming the flag, its variable and its key).
void resolve(QueryFlags& f, const CLI::App& cmd) {
  auto targets = targets_of(f);
  if (!targets) throw_usage(cmd, "--server", targets.error());
  f.targets = std::move(*targets);
  if (f.dry_run && !f.adjust) throw_usage(cmd, "--dry-run", "--dry-run only goes with --adjust");
  if (f.nts && (f.auth || f.key || !f.keyfile.empty()))
    throw_usage(cmd, "--nts",
                "--nts and a symmetric key (--auth, --keyfile, --key-id) exclude each other");
  if (!f.nts && f.nts_aead != 15) throw_usage(cmd, "--nts-aead", "--nts-aead needs --nts");
  if (!f.nts && (!f.nts_ca.empty() || f.nts_ke_port != ntp::nts::kDefaultKePort))
    throw_usage(cmd, f.nts_ca.empty() ? "--nts-ke-port" : "--nts-ca",
                "--nts-ca and --nts-ke-port need --nts");
  try {
    auto found = key_of(f);
    if (!found)
      throw_usage(cmd, f.keyfile.empty() && !f.key ? "--auth" : "--keyfile", found.error());
    f.resolved_key = std::move(*found);
  } catch (const CLI::Error&) {
    throw;
  } catch (const std::exception& e) {  // unreadable, world-readable or malformed keyfile
    throw_usage(cmd, "--keyfile", e.what());
  }
}

int run_query(const QueryFlags& f) {
  const auto& key = f.resolved_key;
  platform::SystemClock clock;
  platform::SystemRandom random;
  SessionOptions options;
  options.samples = f.samples;
  options.timeout = from_seconds(f.timeout);
  options.interval = from_seconds(f.interval);
  options.kernel_timestamps = f.kernel_timestamps;
  options.key = key;
  if (f.nts) options.nts = apps::nts::KeClientOptions{f.nts_ca, from_seconds(f.timeout + 3.0)};
  if (f.nts && f.nts_aead == 17)
    options.nts->aeads = {ntp::nts::AeadId::aes_siv_cmac_512, ntp::nts::AeadId::aes_siv_cmac_256};
  options.nts_ke_port = f.nts_ke_port;
  options.local_precision = ntp::precision_duration(platform::measure_precision(clock));
  auto report = conclude(run_session(f.targets, options, clock, random), clock.now());

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
  CommandOptions o(*cmd);
  o.add("servers", f->servers,
        "SERVER[:PORT] to ask (default pool.ntp.org); IPv6 literals as [::1]:123")
      .no_env();
  o.add("--server", f->server_flags, "a server to ask (repeatable; the same as a SERVER argument)");
  o.add("--port", f->port, "port for servers given without one")
      .integer_range(1, 65535)
      .show_default();
  o.add("--samples", f->samples, "requests per server (RFC 5905 clock filter, 1-8 used)")
      .integer_range(1, 64)
      .show_default();
  o.add("--timeout", f->timeout, "seconds to wait for each answer")
      .range(0.001, 3600, "seconds")
      .show_default();
  o.add("--interval", f->interval, "seconds between samples")
      .range(0, 3600, "seconds")
      .show_default();
  o.add("--keyfile", f->keyfile, "chrony keyfile (`ID TYPE HEX:...`) with the key to use");
  o.add("--key-id", f->key, "key id in --keyfile to authenticate with")
      .integer_range(1, 4294967295LL);
  // `--key` is a CURVE key file in the other commands: here it was the key id.
  o.alias("--key", "--key-id", f->key, "--key names a CURVE key file in the other commands");
  o.flag("--auth", f->auth,
         "require authenticated replies; the key is --keyfile/--key-id, or NTP_SECRET_KEY "
         "(key id 1, type NTP_KEY_TYPE or HMAC-SHA256)");
  o.flag("--nts", f->nts,
         "authenticate with Network Time Security (RFC 8915): an NTS-KE over TLS 1.3 with "
         "each server first, then NTS-protected NTP to the server and port it names");
  o.add("--nts-ca", f->nts_ca,
        "PEM file of the certificates to trust for NTS-KE (default: the system store)");
  o.add("--nts-ke-port", f->nts_ke_port, "the servers' NTS-KE port")
      .integer_range(1, 65535)
      .show_default();
  o.add("--nts-aead", f->nts_aead,
        "the AEAD to offer first: 15 (AEAD_AES_SIV_CMAC_256, alone, what every NTS server has) or "
        "17 (AEAD_AES_SIV_CMAC_512, then 15 for servers without it)")
      .one_of({"15", "17"})
      .show_default();
  o.flag("--json", f->json, "print one JSON object instead of the table");
  o.flag("--adjust", f->adjust,
         "correct this machine's clock by the combined offset: step when |offset| > "
         "--step-threshold, slew otherwise (needs CAP_SYS_TIME)");
  o.add("--step-threshold", f->step_threshold, "seconds above which --adjust steps")
      .range(0, 1e9, "seconds")
      .show_default();
  o.flag("--dry-run", f->dry_run, "with --adjust: print what would be done, change nothing");
  // One meaning in every command: the agent takes the same pair (default off there).
  o.flag("--kernel-timestamps,!--no-kernel-timestamps", f->kernel_timestamps,
         "take T4 from SO_TIMESTAMPNS (default here); --no-kernel-timestamps takes it from the "
         "clock instead (for clocks shifted in user space, e.g. libfaketime)");
  cmd->footer(kFooter);
  cmd->callback([&run, f, cmd] {
    resolve(*f, *cmd);
    run = [f] { return run_query(*f); };
  });
}

}  // namespace cw::apps
