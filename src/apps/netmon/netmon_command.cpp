// apps/netmon/netmon_command.cpp — `chronowatch netmon`: runs the network detectors of seed 002
// over a pcap/pcapng file (--pcap) or a live interface (--interface, bounded by --duration) and
// prints the events found (JSON lines with --json) and a summary. Detection settings come from the
// `network_monitor:` section of --config.
#include <fmt/format.h>
#include <sys/resource.h>

#include <cstdio>
#include <memory>

#include "apps/common/commands.h"
#include "apps/common/exit_codes.h"
#include "apps/common/options.h"
#include "apps/common/signals.h"
#include "apps/netmon/netmon_config.h"
#include "apps/netmon/netmon_output.h"
#include "apps/netmon/network_monitor.h"
#include "platform/system_clock.h"

namespace cw::apps {
namespace {

constexpr const char* kFooter = R"(
Examples:
  chronowatch netmon --pcap capture.pcapng --json
  chronowatch netmon --interface eth0 --filter 'tcp or udp' --duration 60 --config agent.yaml

Detection settings are read from the `network_monitor: detection:` section of --config (keys:
port_scan_threshold, max_connections_per_ip, suspicious_ports, scada_ports, allowlist,
modbus.authorized_masters; see docs/netmon.md for windows, table sizes and adaptive thresholds).
Live capture needs CAP_NET_RAW; netmon gives up all capabilities once the capture is open.

Exit status: 0 done (events or not), 1 capture failure (unreadable file, interface, filter),
2 bad flags or config (the message names the key).)";

struct Options {
  std::string pcap;
  std::string interface;
  std::string filter;
  double duration = 0;
  bool json = false;
  int snaplen = 65535;
  int buffer_mib = 16;
  bool promiscuous = false;
  double update_interval = 0;  // 0: the config's report_interval
};

std::uint64_t max_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
}

int run_netmon(const Options& o, detect::NetmonConfig config) {
  if (o.update_interval > 0) config.report_interval = from_seconds(o.update_interval);
  auto sink = [json = o.json](events::Event&& event) {
    const auto line = json ? event_json_line(event) : event_text_line(event);
    std::fprintf(stdout, "%s\n", line.c_str());
    std::fflush(stdout);
  };
  platform::SystemClock clock;
  NetworkMonitor monitor(config, sink, clock);
  RunFacts facts;
  try {
    if (!o.pcap.empty()) {
      monitor.open_file(o.pcap);
      facts.source = o.pcap;
    } else {
      monitor.open_live(
          {o.interface, o.filter, o.snaplen, o.buffer_mib * 1024 * 1024, o.promiscuous, 100});
      facts.source = o.interface;
      // Progress goes to stderr: stdout carries only events and the summary.
      if (!platform::drop_all_capabilities())
        std::fprintf(stderr, "chronowatch netmon: warning: could not drop capabilities\n");
      std::fprintf(
          stderr, "chronowatch netmon: capturing on %s%s\n", o.interface.c_str(),
          o.duration > 0 ? fmt::format(" for {}s", o.duration).c_str() : " until interrupted");
    }
  } catch (const std::runtime_error& error) {
    std::fprintf(stderr, "chronowatch netmon: %s\n", error.what());
    return kExitFailure;
  }
  auto& signals = install_signal_flags();  // SIGINT/SIGTERM end the capture within a read timeout
  const auto started = clock.monotonic_now();
  std::optional<Duration> duration;
  if (o.duration > 0) duration = from_seconds(o.duration);
  try {
    monitor.run(duration, &signals.stop);
  } catch (const std::runtime_error& error) {
    std::fprintf(stderr, "chronowatch netmon: %s\n", error.what());
    return kExitFailure;
  }
  facts.elapsed_seconds = to_seconds(clock.monotonic_now() - started);
  facts.max_rss_bytes = max_rss_bytes();
  facts.capture = monitor.capture_stats();
  const auto stats = monitor.stats();
  if (o.json)
    std::fprintf(stdout, "%s\n", summary_json_line(stats, facts).c_str());
  else
    std::fprintf(stdout, "%s", summary_text(stats, facts).c_str());
  return kExitOk;
}

}  // namespace

void add_netmon_command(CLI::App& app, CommandBody& run) {
  auto* cmd = app.add_subcommand(
      "netmon", "Network monitor: scans, floods, sensitive ports, Modbus/TCP anomalies");
  cmd->footer(kFooter);
  auto options = std::make_shared<Options>();
  CommandOptions o(*cmd);
  auto pcap = o.add("--pcap", options->pcap, "Read packets from a pcap or pcapng file");
  pcap->check(CLI::ExistingFile);
  auto iface = o.add("--interface,-i", options->interface,
                     "Capture live on this interface (needs CAP_NET_RAW)")
                   .old_env("CW_INTERFACE");
  pcap->excludes(iface.get());
  o.add("--filter", options->filter, "BPF filter for live capture, e.g. 'tcp or udp'");
  o.add("--duration", options->duration,
        "Stop a live capture after this many seconds (0: until Ctrl-C)")
      .range(0, 1e9, "seconds");
  o.add("--snaplen", options->snaplen, "Bytes kept of each live packet")
      .integer_range(64, 262144, "bytes");
  o.add("--buffer-mib", options->buffer_mib, "Kernel capture buffer in MiB")
      .integer_range(1, 2048, "MiB");
  o.flag("--promiscuous", options->promiscuous, "Put the interface in promiscuous mode");
  o.add("--update-interval", options->update_interval,
        "Seconds between `update` records of an attack still going (default: "
        "report_interval of --config, 60); `detected` is sent at once, `ended` once")
      .range(0.1, 1e7, "seconds");
  o.flag("--json", options->json, "One JSON object per line per event, then a summary object");
  read_netmon_section(*cmd);
  cmd->callback([&run, cmd, options] {
    if (options->pcap.empty() && options->interface.empty())
      throw CLI::RequiredError("netmon needs --pcap FILE or --interface IF");
    auto config = std::make_shared<detect::NetmonConfig>(netmon_config_for(*cmd));
    run = [options, config] { return run_netmon(*options, *config); };
  });
}

}  // namespace cw::apps
