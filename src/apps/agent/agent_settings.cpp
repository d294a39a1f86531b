// apps/agent/agent_settings.cpp — the agent's options, their environment variables and checks (see
// agent_settings.h). Each check names the flag, its variable and the YAML key, so that a bad
// value from any of the three is easy to find.
#include "apps/agent/agent_settings.h"

#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <cmath>

#include "platform/socket_address.h"

namespace cw::apps {
namespace {

std::string where(const std::string& flag, const std::string& env) {
  std::string key = flag.substr(2);
  std::replace(key.begin(), key.end(), '-', '_');
  return fmt::format("(flag {}, environment {}, YAML agent.{})", flag, env, key);
}

std::optional<double> parse_double(const std::string& text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

CLI::Validator number(double min, double max, const std::string& unit, const std::string& flag,
                      const std::string& env, bool integer = false) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        const auto value = parse_double(text);
        if (value && *value >= min && *value <= max && (!integer || std::floor(*value) == *value))
          return {};
        return fmt::format("'{}' is not {} from {:g} to {:g} {}", text,
                           integer ? "an integer" : "a number", min, max, unit) +
               " " + where(flag, env);
      },
      fmt::format("{} {:g}..{:g}", unit, min, max));
}

CLI::Validator one_of(std::vector<std::string> allowed, const std::string& flag,
                      const std::string& env) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        if (std::find(allowed.begin(), allowed.end(), text) != allowed.end()) return {};
        return fmt::format("'{}' is not one of {} {}", text, fmt::join(allowed, ", "),
                           where(flag, env));
      },
      fmt::format("{}", fmt::join(allowed, "|")));
}

CLI::Option* add(CLI::App& app, const std::string& flag, auto& value, const std::string& help,
                 const std::string& env) {
  return app.add_option(flag, value, help)->envname(env)->capture_default_str();
}

void add_measurement_options(CLI::App& a, AgentSettings& s) {
  add(a, "--threshold", s.threshold, "alert when |offset| exceeds this many seconds", "THRESHOLD")
      ->check(number(0.000001, 1e9, "seconds", "--threshold", "THRESHOLD"));
  add(a, "--hysteresis", s.hysteresis,
      "time_drift_cleared only below threshold minus this (0: a tenth of the threshold)",
      "CW_HYSTERESIS")
      ->check(number(0, 1e9, "seconds", "--hysteresis", "CW_HYSTERESIS"));
  add(a, "--repeat-interval", s.repeat_interval,
      "repeat time_drift after this long while it lasts, then at doubling intervals",
      "CW_REPEAT_INTERVAL")
      ->check(number(1, 86400, "seconds", "--repeat-interval", "CW_REPEAT_INTERVAL"));
  add(a, "--repeat-max", s.repeat_max, "the longest interval between repeats of time_drift",
      "CW_REPEAT_MAX")
      ->check(number(1, 7 * 86400, "seconds", "--repeat-max", "CW_REPEAT_MAX"));
  add(a, "--step-threshold", s.step_threshold,
      "a wall-clock jump (against the boot-time clock) above this is a clock_step",
      "CW_STEP_THRESHOLD")
      ->check(number(0.001, 1e9, "seconds", "--step-threshold", "CW_STEP_THRESHOLD"));
  add(a, "--frequency-limit", s.frequency_limit,
      "frequency_drift when the clock's estimated rate error exceeds this", "CW_FREQUENCY_LIMIT")
      ->check(number(0.001, 1e6, "ppm", "--frequency-limit", "CW_FREQUENCY_LIMIT"));
  add(a, "--poll-interval", s.poll_interval, "seconds between polls in daemon mode",
      "CW_POLL_INTERVAL")
      ->check(number(0.1, 86400, "seconds", "--poll-interval", "CW_POLL_INTERVAL"));
  add(a, "--ntp-server", s.ntp_servers,
      "NTP server host[:port] (repeat, or a comma-separated list in NTP_SRV)", "NTP_SRV")
      ->delimiter(',');
  add(a, "--burst", s.burst, "exchanges per server in --once and in the first poll", "CW_BURST")
      ->check(number(1, 8, "exchanges", "--burst", "CW_BURST", true));
  add(a, "--ntp-timeout", s.ntp_timeout, "seconds to wait for each NTP answer", "CW_NTP_TIMEOUT")
      ->check(number(0.01, 60, "seconds", "--ntp-timeout", "CW_NTP_TIMEOUT"));
  a.add_flag("--kernel-timestamps", s.kernel_timestamps,
             "take T4 from the kernel (SO_TIMESTAMPNS) instead of the process's clock; more "
             "precise, but blind to a clock faked inside the process (faketime)")
      ->envname("CW_KERNEL_TIMESTAMPS");
}

void add_mqtt_options(CLI::App& a, AgentSettings& s) {
  add(a, "--mqtt-host", s.mqtt_host, "MQTT broker host", "MQTT_HOST");
  add(a, "--mqtt-port", s.mqtt_port, "MQTT broker port", "MQTT_PORT")
      ->check(number(1, 65535, "", "--mqtt-port", "MQTT_PORT", true));
  add(a, "--mqtt-topic", s.mqtt_topic, "topic of the alerts", "MQTT_TOPIC");
  add(a, "--mqtt-status-topic", s.mqtt_status_topic,
      "retained online/offline status topic (default: TOPIC/status)", "MQTT_STATUS_TOPIC");
  add(a, "--mqtt-client-id", s.mqtt_client_id, "MQTT client id (default: chronowatch-AGENT_ID)",
      "MQTT_CLIENT_ID");
  add(a, "--mqtt-username", s.mqtt_username, "MQTT user name", "MQTT_USERNAME");
  add(a, "--mqtt-password", s.mqtt_password, "MQTT password (prefer the variable)",
      "MQTT_PASSWORD");
  add(a, "--mqtt-qos", s.mqtt_qos, "QoS of the alerts: 1 and 2 wait for the broker's ack",
      "MQTT_QOS")
      ->check(number(0, 2, "", "--mqtt-qos", "MQTT_QOS", true));
  add(a, "--mqtt-tls-ca", s.mqtt_tls_ca, "CA file (PEM): connect with TLS, verify the broker",
      "MQTT_TLS_CA");
  add(a, "--mqtt-tls-cert", s.mqtt_tls_cert, "client certificate (PEM)", "MQTT_TLS_CERT");
  add(a, "--mqtt-tls-key", s.mqtt_tls_key, "client private key (PEM)", "MQTT_TLS_KEY");
  add(a, "--mqtt-timeout", s.mqtt_timeout,
      "seconds to wait for the broker's acknowledgements in --once and at exit", "MQTT_TIMEOUT")
      ->check(number(0.1, 3600, "seconds", "--mqtt-timeout", "MQTT_TIMEOUT"));
  add(a, "--mqtt-reconnect-max", s.mqtt_reconnect_max, "longest wait between reconnect attempts",
      "MQTT_RECONNECT_MAX")
      ->check(number(0.1, 3600, "seconds", "--mqtt-reconnect-max", "MQTT_RECONNECT_MAX"));
}

void add_collector_options(CLI::App& a, AgentSettings& s) {
  add(a, "--collector", s.collector, "--sink zmq: the collector, tcp://HOST:PORT (port 5555)",
      "CW_COLLECTOR");
  add(a, "--collector-key", s.collector_key, "--sink zmq: the collector's public key (NAME.pub)",
      "CW_COLLECTOR_KEY");
  add(a, "--key", s.key, "--sink zmq: this agent's secret key (NAME.key, from `keygen`)", "CW_KEY");
  add(a, "--heartbeat-interval", s.heartbeat_interval, "--sink zmq: seconds between heartbeats",
      "CW_HEARTBEAT_INTERVAL")
      ->check(number(0.1, 86400, "seconds", "--heartbeat-interval", "CW_HEARTBEAT_INTERVAL"));
  add(a, "--max-events-per-second", s.max_events_per_second,
      "--sink zmq: rate limit; what it holds back is summarized in events_suppressed",
      "CW_MAX_EVENTS_PER_SECOND")
      ->check(number(0.1, 1e7, "events/s", "--max-events-per-second", "CW_MAX_EVENTS_PER_SECOND"));
}

}  // namespace

void add_agent_options(CLI::App& a, AgentSettings& s) {
  a.add_flag("--once", s.once,
             "query once, publish if beyond the threshold, exit (status 0: within, 3: drift)")
      ->envname("CW_ONCE");
  a.add_flag("--json", s.json, "--once: print the measurement as one JSON object on stdout")
      ->envname("CW_JSON");
  a.add_flag("--no-seccomp", s.no_seccomp,
             "daemon: do not install the seccomp filter once started (by default any system "
             "call the agent does not use ends the process with SIGSYS)")
      ->envname("CW_NO_SECCOMP");
  add(a, "--agent-id", s.agent_id, "this agent's id in every event (default: the host name)",
      "CW_AGENT_ID");
  add_measurement_options(a, s);
  add(a, "--sink", s.sinks, "where events go: mqtt, stdout, zmq (repeat or comma-separate)",
      "CW_SINK")
      ->delimiter(',')
      ->check(one_of({"mqtt", "stdout", "zmq"}, "--sink", "CW_SINK"));
  add_mqtt_options(a, s);
  add_collector_options(a, s);
  add(a, "--spool-dir", s.spool_dir,
      "directory of the durable queue of undelivered MQTT alerts, and of agent.sequence, which "
      "keeps the events' numbering across restarts for the other sinks",
      "CW_SPOOL_DIR");
  add(a, "--spool-max-bytes", s.spool_max_bytes,
      "bound of the spool; when full the oldest alerts are dropped (and counted)",
      "CW_SPOOL_MAX_BYTES")
      ->check(number(65536, 1e12, "bytes", "--spool-max-bytes", "CW_SPOOL_MAX_BYTES", true));
  add(a, "--interface", s.interface,
      "also watch the network on this interface (port scans, floods, sensitive ports, Modbus; "
      "needs CAP_NET_RAW; settings from `network_monitor:` in --config, see docs/netmon.md)",
      "CW_INTERFACE");
  add(a, "--netmon-filter", s.netmon_filter,
      "BPF filter for --interface, e.g. 'tcp or udp or icmp'", "CW_NETMON_FILTER");
}

std::vector<ServerSpec> server_specs(const AgentSettings& settings) {
  std::vector<ServerSpec> specs;
  for (const auto& text : settings.ntp_servers) {
    if (text.empty()) continue;  // "a,,b" and a trailing comma
    auto parsed = platform::split_host_port(text);
    if (!parsed)
      throw CLI::ValidationError("--ntp-server", fmt::format("'{}': {} {}", text, parsed.error(),
                                                             where("--ntp-server", "NTP_SRV")));
    ServerSpec spec{"", parsed->host, parsed->port.value_or(123)};
    const bool v6 = spec.host.find(':') != std::string::npos;
    spec.label = v6 ? fmt::format("[{}]:{}", spec.host, spec.port)
                    : fmt::format("{}:{}", spec.host, spec.port);
    specs.push_back(std::move(spec));
  }
  if (specs.empty())
    throw CLI::ValidationError("--ntp-server",
                               "no NTP server given " + where("--ntp-server", "NTP_SRV"));
  return specs;
}

std::string default_agent_id() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "agent";
  return name;
}

detect::ClockMonitorConfig monitor_config(const AgentSettings& s) {
  detect::ClockMonitorConfig c;
  c.agent_id = s.agent_id.empty() ? default_agent_id() : s.agent_id;
  c.threshold = from_seconds(s.threshold);
  c.hysteresis = from_seconds(s.hysteresis);
  c.repeat_first = from_seconds(s.repeat_interval);
  c.repeat_max = std::max(c.repeat_first, from_seconds(s.repeat_max));
  c.step_threshold = from_seconds(s.step_threshold);
  c.frequency_limit_ppm = s.frequency_limit;
  c.poll_interval = from_seconds(s.poll_interval);
  c.unreachable_after = s.once ? 1 : 3;
  return c;
}

transport::MqttOptions mqtt_options(const AgentSettings& s) {
  transport::MqttOptions o;
  o.host = s.mqtt_host;
  o.port = static_cast<std::uint16_t>(s.mqtt_port);
  o.topic = s.mqtt_topic;
  o.status_topic = s.mqtt_status_topic;
  const auto agent_id = s.agent_id.empty() ? default_agent_id() : s.agent_id;
  o.client_id = s.mqtt_client_id.empty() ? "chronowatch-" + agent_id : s.mqtt_client_id;
  o.username = s.mqtt_username;
  o.password = s.mqtt_password;
  o.qos = s.mqtt_qos;
  o.tls = {s.mqtt_tls_ca, s.mqtt_tls_cert, s.mqtt_tls_key};
  o.reconnect_max = std::chrono::milliseconds{std::llround(s.mqtt_reconnect_max * 1000)};
  return o;
}

transport::SpoolOptions spool_options(const AgentSettings& s) {
  transport::SpoolOptions o;
  o.directory = s.spool_dir;
  o.max_bytes = s.spool_max_bytes;
  o.segment_bytes = std::min<std::uint64_t>(o.segment_bytes,
                                            std::max<std::uint64_t>(s.spool_max_bytes / 4, 4096));
  o.fsync = transport::FsyncPolicy::batch;
  return o;
}

transport::SenderOptions sender_options(const AgentSettings& s) {
  for (const auto& [value, flag] :
       {std::pair{s.collector, "--collector"}, std::pair{s.collector_key, "--collector-key"},
        std::pair{s.key, "--key"}})
    if (value.empty())
      throw CLI::ValidationError(flag, "--sink zmq needs --collector, --collector-key and --key");
  transport::SenderOptions o;
  o.collector = s.collector;
  o.collector_key_file = s.collector_key;
  o.key_file = s.key;
  o.spool = spool_options(s);
  o.spool.directory /= "zmq";  // its own spool: the MQTT sink's is the directory itself
  o.identity.agent_id = s.agent_id.empty() ? default_agent_id() : s.agent_id;
  o.identity.node.hostname = default_agent_id();
  o.identity.version = CW_VERSION;
  o.rate.events_per_second = s.max_events_per_second;
  o.heartbeat_interval =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s.heartbeat_interval));
  return o;
}

}  // namespace cw::apps
