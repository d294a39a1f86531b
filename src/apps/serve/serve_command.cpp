// apps/serve/serve_command.cpp — `chronowatch serve`: the NTP server's command line (flags,
// environment variables, the `serve:` section of --config). The server itself is
// apps/serve_server.cpp.
#include <thread>

#include "apps/common/commands.h"
#include "apps/common/options.h"
#include "apps/serve/serve_options.h"

namespace cw::apps {

int run_serve(const ServeOptions& options);  // apps/serve_server.cpp

namespace {

constexpr const char* kFooter = R"(
Examples:
  chronowatch serve --local-stratum 2 --upstream none      serve this machine's clock
  chronowatch serve --upstream ntp1.example --upstream ntp2.example --user _chrony
  chronowatch serve --listen 127.0.0.1:11123 --keyfile /etc/chrony/chrony.keys --require-auth
  chronowatch serve --local-stratum 2 --upstream none --nts-cert cert.pem --nts-key key.pem \
      --nts-key-file /var/lib/chronowatch/nts.keys          NTS (RFC 8915), KE on port 4460
  chronowatch serve --listen 127.0.0.1:11123 --upstream 127.0.0.1:10123 --min-poll 0 --max-poll 0
                                                 a lab: poll the upstream every second

Upstreams are polled with a burst of 4 requests, then every 2^--min-poll s (default 64 s),
doubling while measurements agree up to 2^--max-poll s (default 1024 s). Keep the defaults
against public servers (faster polling gets you rate-limited or banned); only servers you run
yourself should be polled every second. After 8 polls without an answer from every upstream,
the server serves --local-stratum N, or leap 3 (unsynchronized) without it.

By default the server serves a virtual clock (system time + the offset measured against its
upstreams) and never touches the system clock; --discipline corrects the system clock instead.
Counters are printed on SIGUSR1 and on exit (SIGTERM/SIGINT), as JSON with --json. SIGHUP
(systemctl reload) reads --keyfile and --nts-key-file again; a file that cannot be used keeps
the keys in use and logs why.
Exit status: 0 stopped by a signal, 1 runtime failure, 2 bad flags/config, 3 cannot bind a listen
address, 4 unusable keyfile or NTP_SECRET_KEY, 5 cannot switch to --user.)";

void add_network_options(CLI::App* cmd, ServeOptions& o) {
  cmd->add_option(
         "--listen", o.listen,
         "ADDR:PORT to answer on, repeatable ([::]:123 for IPv6; default *:123 and [::]:123)")
      ->envname("CW_SERVE_LISTEN")
      ->delimiter(',');
  cmd->add_option(
         "--upstream", o.upstream,
         "SERVER[:PORT] to sync from, repeatable (default pool.ntp.org; 'none' for no upstream)")
      ->envname("CW_SERVE_UPSTREAM")
      ->delimiter(',');
  cmd->add_option("--local-stratum", o.local_stratum,
                  "serve this machine's clock at stratum N (1-15) when no upstream is usable, like "
                  "chrony's `local stratum N`")
      ->envname("CW_SERVE_LOCAL_STRATUM")
      ->check(in_range(1, 15, "", true));
  cmd->add_option("--min-poll", o.min_poll,
                  "shortest interval between polls of an upstream, 2^N s (0-17, like chrony's "
                  "minpoll); polling starts there after the initial burst")
      ->capture_default_str()
      ->envname("CW_SERVE_MIN_POLL")
      ->check(in_range(0, 17, "log2 s", true));
  cmd->add_option("--max-poll", o.max_poll,
                  "longest interval, 2^N s (0-17, not below --min-poll; chrony's maxpoll). Public "
                  "servers want the defaults (64-1024 s); tests and labs use --min-poll 0 "
                  "--max-poll 0 to poll every second")
      ->capture_default_str()
      ->envname("CW_SERVE_MAX_POLL")
      ->check(in_range(0, 17, "log2 s", true));
  cmd->add_option(
         "--threads", o.threads,
         "worker threads, each with its own socket per listen address (default: one per core)")
      ->envname("CW_SERVE_THREADS")
      ->check(in_range(0, 256, "threads", true));
  cmd->add_option("--spin-us", o.spin_us,
                  "after a datagram, keep polling this many microseconds before sleeping (saves "
                  "the wake-up on a machine with idle cores; costs CPU; 0: always sleep)")
      ->capture_default_str()
      ->envname("CW_SERVE_SPIN_US")
      ->check(in_range(0, 100000, "µs", true));
  cmd->add_option("--user", o.user, "after binding, switch to this user (e.g. _chrony or nobody)")
      ->envname("CW_SERVE_USER");
}

void add_auth_and_limit_options(CLI::App* cmd, ServeOptions& o) {
  cmd->add_option("--keyfile", o.keyfile,
                  "chrony-format keyfile (ID TYPE HEX:...); NTP_SECRET_KEY adds key 1")
      ->envname("CW_SERVE_KEYFILE");
  cmd->add_flag("--require-auth", o.require_auth, "give no time to requests without a valid MAC")
      ->envname("CW_SERVE_REQUIRE_AUTH");
  cmd->add_option("--allow", o.allow,
                  "CIDR allowed to get time, repeatable (with any --allow, the rest is denied)")
      ->envname("CW_SERVE_ALLOW")
      ->delimiter(',');
  cmd->add_option("--deny", o.deny, "CIDR denied, repeatable (the longest matching prefix decides)")
      ->envname("CW_SERVE_DENY")
      ->delimiter(',');
  cmd->add_option("--rate-interval", o.rate_interval,
                  "per-client average seconds between requests (0 turns rate limiting off)")
      ->capture_default_str()
      ->envname("CW_SERVE_RATE_INTERVAL")
      ->check(in_range(0.0, 3600.0, "seconds"));
  cmd->add_option("--rate-burst", o.rate_burst, "requests a client may send back to back")
      ->capture_default_str()
      ->envname("CW_SERVE_RATE_BURST")
      ->check(in_range(1, 1 << 20, "requests", true));
  cmd->add_option(
         "--kod-interval", o.kod_interval,
         "at most one RATE Kiss-o'-Death per client per this many seconds; the rest are dropped")
      ->capture_default_str()
      ->check(in_range(0.0, 3600.0, "seconds"));
  cmd->add_option(
         "--rate-table", o.rate_table,
         "entries in the fixed-size rate-limit table shared by the workers (32 bytes each)")
      ->capture_default_str()
      ->check(in_range(16, 1 << 24, "entries", true));
}

void add_nts_options(CLI::App* cmd, ServeOptions& o) {
  cmd->add_option("--nts-cert", o.nts_cert,
                  "serve NTS (RFC 8915): PEM certificate chain for NTS-KE; its subjectAltName must "
                  "name this server as clients dial it (chrony checks it)")
      ->envname("CW_SERVE_NTS_CERT");
  cmd->add_option("--nts-key", o.nts_key, "PEM private key of --nts-cert")
      ->envname("CW_SERVE_NTS_KEY");
  cmd->add_option("--nts-ke-listen", o.nts_ke_listen,
                  "ADDR:PORT for NTS-KE over TLS (default: the first --listen address, port 4460)")
      ->envname("CW_SERVE_NTS_KE_LISTEN");
  cmd->add_option("--nts-key-file", o.nts_key_file,
                  "file for the cookie master keys (mode 0600), so that a restart keeps every "
                  "client's cookies valid; default: fresh keys each start")
      ->envname("CW_SERVE_NTS_KEY_FILE");
  cmd->add_option("--nts-rotate", o.nts_rotate,
                  "seconds between cookie master-key rotations (the 3 previous keys stay valid)")
      ->capture_default_str()
      ->envname("CW_SERVE_NTS_ROTATE")
      ->check(CLI::Range(1.0, 1e9));
  cmd->add_flag("--require-nts", o.require_nts,
                "give no time to requests without NTS: they get no answer at all")
      ->envname("CW_SERVE_REQUIRE_NTS");
  cmd->add_option("--nts-ntp-port", o.nts_ntp_port,
                  "the NTP port NTS-KE tells clients to use (default: the first --listen port), "
                  "for a server behind a port forward")
      ->check(CLI::Range(1, 65535));
  cmd->add_flag("--nts", o.upstream_nts,
                "reach the --upstream servers through NTS (RFC 8915): NTS-KE first, then "
                "NTS-protected polls; an upstream whose NTS fails gives no time")
      ->envname("CW_SERVE_NTS");
  cmd->add_option("--nts-ca", o.nts_ca,
                  "with --nts: PEM trust store for the upstreams' NTS-KE (default: the system's)")
      ->envname("CW_SERVE_NTS_CA");
  cmd->add_option("--nts-ke-port", o.nts_ke_port, "with --nts: the upstreams' NTS-KE port")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535));
  cmd->add_option("--nts-ke-max-sessions", o.nts_ke_max_sessions,
                  "NTS-KE sessions at once; more connections wait (each session has 2 s)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--nts-ke-rate-interval", o.nts_ke_rate_interval,
                  "average seconds between NTS-KE sessions of one address (IPv4, IPv6 /64); a "
                  "connection over the limit is closed before any TLS work; 0 = no limit")
      ->capture_default_str()
      ->envname("CW_SERVE_NTS_KE_RATE_INTERVAL")
      ->check(in_range(0.0, 3600.0, "seconds"));
  cmd->add_option("--nts-ke-rate-burst", o.nts_ke_rate_burst,
                  "NTS-KE sessions one address may open back to back (e.g. a NAT booting hosts)")
      ->capture_default_str()
      ->envname("CW_SERVE_NTS_KE_RATE_BURST")
      ->check(in_range(1, 1 << 20, "sessions", true));
}

}  // namespace

void add_serve_command(CLI::App& app, CommandBody& run) {
  auto options = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand(
      "serve", "NTP server: answers clients (NTPv4, RFC 5905), syncs from upstreams");
  cmd->footer(kFooter);
  add_network_options(cmd, *options);
  add_auth_and_limit_options(cmd, *options);
  add_nts_options(cmd, *options);
  cmd->add_flag("--discipline", options->discipline,
                "correct the SYSTEM clock from the upstreams (needs CAP_SYS_TIME); default: a "
                "virtual clock")
      ->envname("CW_SERVE_DISCIPLINE");
  cmd->add_option("--step-threshold", options->step_threshold,
                  "with --discipline: step when |offset| exceeds this many seconds, slew otherwise")
      ->capture_default_str()
      ->envname("CW_SERVE_STEP_THRESHOLD")
      ->check(in_range(0.0, 1e9, "seconds"));
  cmd->add_flag("--json", options->json, "print the counters as JSON (one object per line)");
  cmd->add_option("--metrics", options->metrics,
                  "serve Prometheus metrics at http://ADDR:PORT/metrics (e.g. 127.0.0.1:9123)")
      ->envname("CW_SERVE_METRICS");
  cmd->add_flag("--no-seccomp", options->no_seccomp,
                "do not install the seccomp filter once listening (by default any system call "
                "serve does not use ends the process with SIGSYS)")
      ->envname("CW_SERVE_NO_SECCOMP");
  cmd->parse_complete_callback([cmd, options, &run] {
    options->upstream_given = cmd->count("--upstream") > 0 || !options->upstream.empty();
    if (const auto problem = serve_usage_problem(*options))
      throw CLI::ValidationError(*problem);  // main names the flag's places
    run = [options] { return run_serve(*options); };
  });
}

}  // namespace cw::apps
