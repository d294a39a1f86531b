// apps/agent/agent_reload.cpp — see apps/agent/agent_reload.h.
#include "apps/agent/agent_reload.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iterator>

#include "apps/common/options.h"
#include "apps/common/yaml_config.h"

namespace cw::apps {
namespace {

// One setting: its option name, whether two settings differ in it, and how to take it over.
struct Field {
  const char* name;
  bool (*differs)(const AgentSettings&, const AgentSettings&);
  void (*take)(AgentSettings&, const AgentSettings&);
};

#define CW_FIELD(member, name)                                                                 \
  Field {                                                                                      \
    name, [](const AgentSettings& a, const AgentSettings& b) { return a.member != b.member; }, \
        [](AgentSettings& to, const AgentSettings& from) { to.member = from.member; }          \
  }

// Applied on a reload. The first group changes the NTP servers' poller, poll_interval the schedule.
const Field kServerFields[] = {
    CW_FIELD(ntp_servers, "--ntp-server"),
    CW_FIELD(ntp_timeout, "--ntp-timeout"),
    CW_FIELD(kernel_timestamps, "--kernel-timestamps"),
    CW_FIELD(nts, "--nts"),
    CW_FIELD(nts_ca, "--nts-ca"),
    CW_FIELD(nts_ke_port, "--nts-ke-port"),
};
const Field kScheduleField = CW_FIELD(poll_interval, "--poll-interval");
const Field kJudgementFields[] = {
    CW_FIELD(threshold, "--threshold"),
    CW_FIELD(hysteresis, "--hysteresis"),
    CW_FIELD(repeat_interval, "--repeat-interval"),
    CW_FIELD(repeat_max, "--repeat-max"),
    CW_FIELD(step_threshold, "--clock-step-threshold"),
    CW_FIELD(frequency_limit, "--frequency-limit"),
    CW_FIELD(burst, "--burst"),
};
// Owned by threads, files and sockets made at start: a restart applies them.
const Field kRestartFields[] = {
    CW_FIELD(agent_id, "--agent-id"),
    CW_FIELD(sinks, "--sink"),
    CW_FIELD(mqtt_host, "--mqtt-host"),
    CW_FIELD(mqtt_port, "--mqtt-port"),
    CW_FIELD(mqtt_topic, "--mqtt-topic"),
    CW_FIELD(mqtt_status_topic, "--mqtt-status-topic"),
    CW_FIELD(mqtt_client_id, "--mqtt-client-id"),
    CW_FIELD(mqtt_username, "--mqtt-username"),
    CW_FIELD(mqtt_password, "--mqtt-password"),
    CW_FIELD(mqtt_qos, "--mqtt-qos"),
    CW_FIELD(mqtt_tls_ca, "--mqtt-tls-ca"),
    CW_FIELD(mqtt_tls_cert, "--mqtt-tls-cert"),
    CW_FIELD(mqtt_tls_key, "--mqtt-tls-key"),
    CW_FIELD(mqtt_timeout, "--mqtt-timeout"),
    CW_FIELD(mqtt_reconnect_max, "--mqtt-reconnect-max"),
    CW_FIELD(spool_dir, "--spool-dir"),
    CW_FIELD(spool_max_bytes, "--spool-max-bytes"),
    CW_FIELD(collector, "--collector"),
    CW_FIELD(collector_key, "--collector-key"),
    CW_FIELD(key, "--key"),
    CW_FIELD(heartbeat_interval, "--heartbeat-interval"),
    CW_FIELD(max_events_per_second, "--max-events-per-second"),
    CW_FIELD(queue_events, "--queue-events"),
    CW_FIELD(interface, "--interface"),
    CW_FIELD(netmon_filter, "--netmon-filter"),
    CW_FIELD(update_interval, "--update-interval"),
    CW_FIELD(tamper_interval, "--tamper-interval"),
    CW_FIELD(metrics, "--metrics"),
    CW_FIELD(no_seccomp, "--no-seccomp"),
};

#undef CW_FIELD

std::vector<std::string> read_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<std::string> args;
  for (std::size_t at = 0; at < text.size();) {
    const auto end = text.find('\0', at);
    args.push_back(text.substr(at, end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return args;
}

// The root of main.cpp as far as the agent needs it: --config (YAML), --log-level, `agent`.
Result<AgentSettings, std::string> parse_agent_line(const std::vector<std::string>& args) {
  CLI::App app{"", "chronowatch"};
  app.require_subcommand(1, 1);
  app.fallthrough();
  app.set_config("--config", "", "YAML config file");
  app.config_formatter(std::make_shared<YamlConfig>(app));
  app.allow_config_extras(CLI::config_extras_mode::ignore);
  std::string log_level;
  app.add_option("--log-level", log_level)->envname("CW_LOG_LEVEL");
  AgentSettings settings;
  auto* agent = add_agent_subcommand(app, settings);
  agent->callback([&settings, agent] { finish_agent_settings(settings, *agent); });
  apply_option_conventions(app);
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& error) {
    return fail(usage_error_line(app, error));
  }
  if (!agent->parsed()) return fail(std::string("the command line has no `agent` command"));
  return settings;
}

std::string joined(const std::vector<std::string>& names) {
  return names.empty() ? "nothing" : fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

Result<AgentSettings, std::string> reread_agent_settings() {
  try {
    return parse_agent_line(read_command_line());
  } catch (const std::exception& error) {  // YAML errors, unreadable files
    return fail(std::string(error.what()));
  }
}

SettingsChange compare_settings(const AgentSettings& running, const AgentSettings& fresh) {
  SettingsChange change;
  for (const auto& field : kServerFields)
    if (field.differs(running, fresh)) change.applied.push_back(field.name), change.servers = true;
  if (kScheduleField.differs(running, fresh))
    change.applied.push_back(kScheduleField.name), change.schedule = true;
  for (const auto& field : kJudgementFields)
    if (field.differs(running, fresh)) change.applied.push_back(field.name);
  for (const auto& field : kRestartFields)
    if (field.differs(running, fresh)) change.needs_restart.push_back(field.name);
  return change;
}

AgentSettings take_reloadable(AgentSettings running, const AgentSettings& fresh) {
  for (const auto& field : kServerFields) field.take(running, fresh);
  kScheduleField.take(running, fresh);
  for (const auto& field : kJudgementFields) field.take(running, fresh);
  return running;
}

void reload_agent(AgentSettings& running, ClockWatch& watch) {
  auto fresh = reread_agent_settings();
  if (!fresh) {
    spdlog::error("agent: SIGHUP: configuration not reloaded, the running one stays: {}",
                  fresh.error());
    return;
  }
  const auto change = compare_settings(running, *fresh);
  if (!change.applied.empty()) {
    running = take_reloadable(std::move(running), *fresh);
    watch.reconfigure(running, change.servers, change.schedule);
  }
  spdlog::info(
      "agent: SIGHUP: configuration reloaded; applied {} (threshold {:g} s, {} NTP "
      "server(s), poll every {:g} s)",
      joined(change.applied), running.threshold, running.ntp_servers.size(), running.poll_interval);
  if (!change.needs_restart.empty())
    spdlog::warn(
        "agent: SIGHUP: {} changed but cannot be reloaded (kept as started); restart "
        "it (systemctl restart chronowatch-agent) to apply",
        joined(change.needs_restart));
}

}  // namespace cw::apps
