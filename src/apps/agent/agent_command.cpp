// apps/agent/agent_command.cpp — `chronowatch agent`: the drift agent of seed 000, done right.
// Builds the object graph (clocks, NTP poller, clock monitor, sinks) from flags, environment and
// the YAML file, then either measures once (--once) or runs the daemon loop. More watchers (the
// network monitor) join the loop in run_daemon beside the ClockWatch.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "apps/agent/agent_clock_watch.h"
#include "apps/agent/agent_metrics.h"
#include "apps/agent/agent_netmon.h"
#include "apps/agent/agent_reload.h"
#include "apps/agent/agent_router.h"
#include "apps/agent/agent_settings.h"
#include "apps/agent/agent_tamper_watch.h"
#include "apps/common/commands.h"
#include "apps/common/daemon_start.h"
#include "apps/common/exit_codes.h"
#include "apps/common/signals.h"
#include "apps/netmon/netmon_config.h"
#include "platform/system_clock.h"
#include "transport/mqtt/mqtt_sink.h"
#include "transport/spool/sequence_file.h"
#include "transport/stdout_sink.h"
#include "transport/zmq/zmq_sink.h"
#include "web/metrics_server.h"

namespace cw::apps {
namespace {

// Exit statuses of `agent --once` (documented in --help and docs/agent.md).
constexpr int kExitDrift = 3;          // |offset| > threshold; the alert was delivered
constexpr int kExitNoMeasurement = 4;  // no server gave a usable answer
constexpr int kExitUndelivered = 5;    // drift, but the broker did not acknowledge in time

constexpr const char* kFooter = R"(
Environment: THRESHOLD (300), NTP_SRV (2.ar.pool.ntp.org; a comma-separated list
of host[:port]), MQTT_HOST (localhost), MQTT_PORT (1883), MQTT_TOPIC (LAB/time_drift/agent1),
the other MQTT_* settings, and CW_AGENT_<OPTION> for the rest; each option's variable is shown
beside it. Precedence: flags > environment > --config FILE (section `agent:`, keys in
snake_case; `zeromq: publisher: {endpoint, high_water_mark}` and `network_monitor:` as in the
networked agent's agent_config.yaml). --check-config prints what was read and exits.
The daemon stops on SIGTERM/SIGINT. SIGHUP reads flags, environment and --config again and
applies the thresholds, limits, poll interval and NTP servers (with their NTS settings); other
changes (sinks, MQTT, collector, keys, spool, interface, metrics) are named in the log: restart.
Offsets are server minus local clock (RFC 5905): a local clock 10 minutes ahead reads -600.
Exit status of --once: 0 within the threshold, 3 drift found (alert delivered), 4 no NTP server
answered, 5 drift found but not acknowledged by the broker in time (kept in the spool),
1 runtime failure, 2 bad flags, environment or config.
Example: THRESHOLD=300 NTP_SRV=ntp1,ntp2 MQTT_HOST=broker chronowatch agent --once)";

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds{static_cast<std::int64_t>(seconds * 1000)};
}

void add_sinks(const AgentSettings& settings, EventRouter& router, Clock& clock) {
  for (const auto& name : settings.sinks) {
    if (name == "stdout") router.add(std::make_unique<transport::StdoutSink>());
    if (name == "mqtt")
      router.add(
          std::make_unique<transport::MqttSink>(mqtt_options(settings), spool_options(settings)));
    if (name == "zmq")
      router.add(std::make_unique<transport::ZmqSink>(sender_options(settings), clock));
  }
}

// Without a sink that numbers durably (MQTT's spool), the agent's sequence lives in the spool
// directory so that it survives restarts (issue 5's schema); without a usable directory, say what
// that means.
void keep_sequence(const AgentSettings& settings, EventRouter& router) {
  if (router.durable_sequence()) return;
  const auto path = std::filesystem::path(settings.spool_dir) / "agent.sequence";
  try {
    router.number_from(std::make_unique<transport::SequenceFile>(path));
  } catch (const std::exception& error) {
    spdlog::warn(
        "cannot keep the event sequence in {} ({}): sequence numbers start again from 1 "
        "at every start; set --spool-dir (CW_AGENT_SPOOL_DIR) to a writable directory",
        path.string(), error.what());
  }
}

std::string undelivered_reason(const EventRouter& router) {
  for (const auto& sink : router.sinks())
    if (const auto* mqtt = dynamic_cast<const transport::MqttSink*>(sink.get()))
      if (!mqtt->last_error().empty()) return mqtt->last_error();
  return "no acknowledgement in time";
}

void print_summary(const ClockWatch& watch, const detect::ClockMonitorConfig& config) {
  nlohmann::ordered_json out;
  const auto& status = watch.monitor().status();
  out["drift"] = status.drifting;
  out["threshold"] = to_seconds(config.threshold);
  if (const auto& combined = watch.last_round().combined) {
    out["offset"] = to_seconds(combined->offset);
    out["abs_offset"] = std::abs(to_seconds(combined->offset));
    out["server"] = combined->server;
    out["delay"] = to_seconds(combined->delay);
    out["error_bound"] = to_seconds(combined->root_distance);
    out["stratum"] = combined->stratum;
  }
  auto& servers = out["servers"] = nlohmann::ordered_json::array();
  for (const auto& outcome : watch.last_round().servers) {
    nlohmann::ordered_json s{{"server", outcome.server}, {"falseticker", outcome.falseticker}};
    s["status"] = outcome.status == detect::PollStatus::ok ? "ok" : "failed";
    if (outcome.sample) s["offset"] = to_seconds(outcome.sample->offset);
    if (!outcome.kiss_code.empty()) s["kiss_code"] = outcome.kiss_code;
    servers.push_back(std::move(s));
  }
  std::printf("%s\n", out.dump().c_str());
}

int run_once(const AgentSettings& settings) {
  platform::SystemClock clock;
  platform::SystemRandom random;
  EventRouter router;
  router.hold();
  ClockWatch watch(settings, clock, random, router);
  watch.poll_once();
  if (settings.tamper_interval > 0)
    TamperWatch(clock, monitor_config(settings).agent_id).scan(router);
  const bool measured = watch.last_round().combined.has_value();
  const bool drift = watch.monitor().status().drifting;
  if (settings.json) print_summary(watch, monitor_config(settings));
  if (!measured) spdlog::error("no NTP server gave a usable answer; nothing was measured");
  if (const auto& combined = watch.last_round().combined)
    spdlog::info("offset {:+.6f} s from {} (threshold {:g} s): {}", to_seconds(combined->offset),
                 combined->server, settings.threshold, drift ? "DRIFT" : "within threshold");
  bool delivered = true;
  if (router.held() > 0) {  // the seed's one-shot: nothing to say, no connection to the broker
    add_sinks(settings, router, clock);
    keep_sequence(settings, router);
    router.release();
    delivered = router.drain(millis(settings.mqtt_timeout));
    if (!delivered)
      spdlog::error(
          "alert not acknowledged within {:g} s: {}; it waits in the spool {} and is "
          "sent by the next run that reaches the broker",
          settings.mqtt_timeout, undelivered_reason(router), settings.spool_dir);
  }
  if (!measured) return kExitNoMeasurement;
  if (!drift) return kExitOk;
  return delivered ? kExitDrift : kExitUndelivered;
}

int run_daemon(const AgentSettings& settings) {
  auto& signals = install_signal_flags();
  DaemonStart daemon;
  platform::SystemClock clock;
  platform::SystemRandom random;
  EventRouter router;
  add_sinks(settings, router, clock);
  keep_sequence(settings, router);
  AgentSettings running = settings;  // a reload changes what it can of it
  ClockWatch watch(running, clock, random, router);
  std::unique_ptr<AgentNetworkWatch> network;
  if (!settings.interface.empty())
    network = std::make_unique<AgentNetworkWatch>(settings.interface, settings.netmon_filter,
                                                  settings.netmon, clock);
  const auto started = clock.monotonic_now();
  const auto uptime = [&] { return to_seconds(clock.monotonic_now() - started); };
  AgentSnapshotBox snapshot;
  snapshot.store(take_agent_snapshot(watch, router, 0));
  std::unique_ptr<web::MetricsServer> metrics;
  if (!settings.metrics.empty()) {
    metrics = std::make_unique<web::MetricsServer>(
        settings.metrics, [&snapshot] { return agent_metrics_text(snapshot.load()); });
    spdlog::info("agent: metrics at http://{}/metrics", settings.metrics);
  }
  std::unique_ptr<TamperWatch> tamper;
  if (settings.tamper_interval > 0)
    tamper = std::make_unique<TamperWatch>(clock, monitor_config(settings).agent_id);
  spdlog::info("agent {} watching {} NTP server(s) every {:g} s, threshold {:g} s",
               monitor_config(settings).agent_id, server_specs(settings).size(),
               settings.poll_interval, settings.threshold);
  daemon.started("polling " + std::to_string(server_specs(settings).size()) + " NTP server(s)",
                 settings.no_seccomp ? std::nullopt
                                     : std::optional(platform::SyscallFilterOptions{
                                           .adjust_clock = false,
                                           .packet_capture = !settings.interface.empty(),
                                           .read_kernel_clock = settings.tamper_interval > 0}));
  // Relative sleeps: immune to a faked (libfaketime) or stepped clock. More watchers (the
  // network monitor) tick here beside the clock.
  while (!signals.stop) {
    if (signals.reload.exchange(false)) reload_agent(running, watch);  // systemctl reload
    watch.tick();
    if (network) network->drain(router, monitor_config(settings).agent_id);
    snapshot.store(take_agent_snapshot(watch, router, uptime()));
    // The first tamper scan waits for the first poll round (answered or not): reading every
    // process's /proc files takes 20-150 ms on a busy host, which delayed the first poll's result.
    if (tamper && !watch.last_round().servers.empty())
      tamper->tick(router, from_seconds(settings.tamper_interval));
    if (watch.monitor().all_servers_denied()) {
      spdlog::error("every NTP server told us to go away (Kiss-o'-Death DENY/RSTR); stopping");
      break;
    }
    watch.wait(std::chrono::milliseconds{250});
  }
  if (network) {  // attacks still open when we stop are reported, not dropped
    network->stop();
    network->drain(router, monitor_config(settings).agent_id);
  }
  daemon.stopping();
  spdlog::info("stopping: waiting up to {:g} s for undelivered alerts", settings.mqtt_timeout);
  if (!router.drain(millis(settings.mqtt_timeout)))
    spdlog::warn("some alerts were not delivered; they wait in the spool {}", settings.spool_dir);
  return signals.stop ? kExitOk : kExitFailure;
}

int print_settings(const AgentSettings& settings) {
  std::printf("%s\n", settings_json(settings).c_str());
  return kExitOk;
}

}  // namespace

CLI::App* add_agent_subcommand(CLI::App& app, AgentSettings& settings) {
  auto* agent = app.add_subcommand(
      "agent",
      "Clock drift agent: measure the local clock against NTP servers and publish alerts "
      "(time_drift, clock_step, frequency_drift, ntp_unreachable, ...) to MQTT or stdout");
  agent->footer(kFooter);
  CommandOptions options(*agent);
  add_agent_options(options, settings);
  read_netmon_section(*agent);
  return agent;
}

void add_agent_command(CLI::App& app, CommandBody& run) {
  auto settings = std::make_shared<AgentSettings>();
  auto* agent = add_agent_subcommand(app, *settings);
  agent->callback([settings, &run, agent] {
    finish_agent_settings(*settings, *agent);  // usage errors (exit 2) before anything starts
    run = [settings] {
      if (settings->check_config) return print_settings(*settings);
      return settings->once ? run_once(*settings) : run_daemon(*settings);
    };
  });
}

}  // namespace cw::apps
