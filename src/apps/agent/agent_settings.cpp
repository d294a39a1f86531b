// apps/agent/agent_settings.cpp — the agent's options, their environment variables and checks (see
// agent_settings.h), declared in the options layer (apps/common/options.h): each check names the
// flag, its variable and the YAML key, so that a bad value from any of the three is easy to find.
#include "apps/agent/agent_settings.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "apps/common/options.h"
#include "apps/netmon/netmon_config.h"
#include "core/time.h"
#include "platform/socket_address.h"

namespace cw::apps {
namespace {

// The agent's options (apps/common/options.h): CW_AGENT_<OPTION> unless a seed named it; the
// variables of before the options layer (CW_<OPTION>) are still read, with a warning.
OptionDecl add(CommandOptions& o, const std::string& flag, auto& value, const std::string& help) {
  auto decl = o.add(flag, value, help).show_default();
  const auto now = decl->get_envname();
  const auto old = "CW_" + now.substr(std::string("CW_AGENT_").size());
  if (now.starts_with("CW_AGENT_") && now != "CW_AGENT_ID") decl.old_env(old);
  return decl;
}

void add_measurement_options(CommandOptions& a, AgentSettings& s) {
  add(a, "--threshold", s.threshold, "alert when |offset| exceeds this many seconds")
      .env("THRESHOLD")
      .range(0.000001, 1e9, "seconds");
  add(a, "--hysteresis", s.hysteresis,
      "time_drift_cleared only below threshold minus this (0: a tenth of the threshold)")
      .range(0, 1e9, "seconds");
  add(a, "--repeat-interval", s.repeat_interval,
      "repeat time_drift after this long while it lasts, then at doubling intervals")
      .range(1, 86400, "seconds");
  add(a, "--repeat-max", s.repeat_max, "the longest interval between repeats of time_drift")
      .range(1, 7 * 86400, "seconds");
  // --step-threshold is the step-or-slew threshold in query and serve; here it is an old spelling.
  add(a, "--clock-step-threshold", s.step_threshold,
      "a wall-clock jump (against the boot-time clock) above this is a clock_step")
      .old_env("CW_AGENT_STEP_THRESHOLD")
      .yaml_alias("agent.step_threshold")
      .range(0.001, 1e9, "seconds");
  a.alias("--step-threshold", "--clock-step-threshold", s.step_threshold,
          "--step-threshold is the step-or-slew threshold of query and serve");
  add(a, "--frequency-limit", s.frequency_limit,
      "frequency_drift when the clock's estimated rate error exceeds this")
      .range(0.001, 1e6, "ppm");
  add(a, "--poll-interval", s.poll_interval, "seconds between polls in daemon mode")
      .range(0.1, 86400, "seconds");
  add(a, "--ntp-server", s.ntp_servers,
      "NTP server host[:port] (repeat, or a comma-separated list in NTP_SRV)")
      .env("NTP_SRV")
      ->delimiter(',');
  add(a, "--burst", s.burst, "exchanges per server in --once and in the first poll")
      .integer_range(1, 8, "exchanges");
  add(a, "--ntp-timeout", s.ntp_timeout, "seconds to wait for each NTP answer")
      .range(0.01, 60, "seconds");
  // One meaning in every command: query takes the same pair (default on there).
  a.flag("--kernel-timestamps,!--no-kernel-timestamps", s.kernel_timestamps,
         "take T4 from the kernel (SO_TIMESTAMPNS) instead of the process's clock; more precise, "
         "but blind to a clock faked inside the process (faketime); default off here")
      .old_env("CW_KERNEL_TIMESTAMPS");
  a.flag("--nts", s.nts,
         "authenticate the NTP servers with NTS (RFC 8915): NTS-KE over TLS first, cookies "
         "kept across polls, a new NTS-KE when they run out or the server sends NTSN");
  add(a, "--nts-ca", s.nts_ca, "PEM trust store for NTS-KE (default: the system's)");
  add(a, "--nts-ke-port", s.nts_ke_port, "the servers' NTS-KE port").integer_range(1, 65535);
}

void add_mqtt_options(CommandOptions& a, AgentSettings& s) {
  // The seed's MQTT_HOST, MQTT_PORT, MQTT_TOPIC, and the rest of the MQTT settings in its family.
  add(a, "--mqtt-host", s.mqtt_host, "MQTT broker host").env("MQTT_HOST");
  add(a, "--mqtt-port", s.mqtt_port, "MQTT broker port").env("MQTT_PORT").integer_range(1, 65535);
  add(a, "--mqtt-topic", s.mqtt_topic, "topic of the alerts").env("MQTT_TOPIC");
  add(a, "--mqtt-status-topic", s.mqtt_status_topic,
      "retained online/offline status topic (default: TOPIC/status)")
      .env("MQTT_STATUS_TOPIC");
  add(a, "--mqtt-client-id", s.mqtt_client_id, "MQTT client id (default: chronowatch-AGENT_ID)")
      .env("MQTT_CLIENT_ID");
  add(a, "--mqtt-username", s.mqtt_username, "MQTT user name").env("MQTT_USERNAME");
  add(a, "--mqtt-password", s.mqtt_password, "MQTT password (prefer the variable)")
      .env("MQTT_PASSWORD");
  add(a, "--mqtt-qos", s.mqtt_qos, "QoS of the alerts: 1 and 2 wait for the broker's ack")
      .env("MQTT_QOS")
      .integer_range(0, 2);
  add(a, "--mqtt-tls-ca", s.mqtt_tls_ca, "CA file (PEM): connect with TLS, verify the broker")
      .env("MQTT_TLS_CA");
  add(a, "--mqtt-tls-cert", s.mqtt_tls_cert, "client certificate (PEM)").env("MQTT_TLS_CERT");
  add(a, "--mqtt-tls-key", s.mqtt_tls_key, "client private key (PEM)").env("MQTT_TLS_KEY");
  add(a, "--mqtt-timeout", s.mqtt_timeout,
      "seconds to wait for the broker's acknowledgements in --once and at exit")
      .env("MQTT_TIMEOUT")
      .range(0.1, 3600, "seconds");
  add(a, "--mqtt-reconnect-max", s.mqtt_reconnect_max, "longest wait between reconnect attempts")
      .env("MQTT_RECONNECT_MAX")
      .range(0.1, 3600, "seconds");
}

void add_collector_options(CommandOptions& a, AgentSettings& s) {
  // --zmq-endpoint is seed 002's name of the same endpoint, and zeromq.publisher.* its YAML keys.
  add(a, "--collector,--zmq-endpoint", s.collector,
      "the collector, tcp://HOST:PORT (port 5555); given without --sink, events go there. "
      "Several (repeated, or comma-separated, sharing one key pair and one store): the agent "
      "starts at hash(id) mod N and fails over to the next when unanswered")
      .yaml_alias("zeromq.publisher.endpoint")
      ->delimiter(',')
      ->multi_option_policy(CLI::MultiOptionPolicy::Join);  // repeated: one comma-separated list
  add(a, "--collector-key", s.collector_key, "--sink zmq: the collector's public key (NAME.pub)");
  add(a, "--key", s.key, "--sink zmq: this agent's secret key (NAME.key, from `keygen`)");
  add(a, "--heartbeat-interval", s.heartbeat_interval, "--sink zmq: seconds between heartbeats")
      .range(0.1, 86400, "seconds");
  add(a, "--max-events-per-second", s.max_events_per_second,
      "--sink zmq: rate limit; what it holds back is summarized in events_suppressed")
      .range(0.1, 1e7, "events/s");
  add(a, "--queue-events", s.queue_events,
      "--sink zmq: events held in memory before the rate limit; beyond, new events are dropped "
      "and counted (seed 002's zeromq.publisher.high_water_mark)")
      .integer_range(1, 100000000, "events")
      .yaml_alias("zeromq.publisher.high_water_mark");
}

}  // namespace

void add_agent_options(CommandOptions& a, AgentSettings& s) {
  a.flag("--once", s.once,
         "query once, publish if beyond the threshold, exit (status 0: within, 3: drift)")
      .old_env("CW_ONCE");
  a.flag("--json", s.json, "--once: print the measurement as one JSON object on stdout")
      .old_env("CW_JSON");
  a.flag("--check-config", s.check_config,
         "print the settings as read from flags, environment and --config (JSON) and exit: "
         "nothing is measured, captured or sent");
  add(a, "--agent-id", s.agent_id, "this agent's id in every event (default: the host name)");
  a.flag("--no-seccomp", s.no_seccomp,
         "daemon: do not install the seccomp filter once started (by default any system "
         "call the agent does not use ends the process with SIGSYS)")
      .old_env("CW_NO_SECCOMP");
  add_measurement_options(a, s);
  add(a, "--sink", s.sinks,
      "where events go: mqtt, stdout, zmq (repeat or comma-separate; default mqtt, or zmq when "
      "--collector is given)")
      .one_of({"mqtt", "stdout", "zmq"})
      ->delimiter(',');
  add_mqtt_options(a, s);
  add_collector_options(a, s);
  add(a, "--metrics", s.metrics,
      "serve Prometheus metrics at http://ADDR:PORT/metrics (e.g. 127.0.0.1:9124)");
  add(a, "--spool-dir", s.spool_dir,
      "directory of the durable queue of undelivered MQTT alerts, and of agent.sequence, which "
      "keeps the events' numbering across restarts for the other sinks");
  add(a, "--spool-max-bytes", s.spool_max_bytes,
      "bound of the spool; when full the oldest alerts are dropped (and counted)")
      .integer_range(65536, 1'000'000'000'000, "bytes");
  add(a, "--interface", s.interface,
      "also watch the network on this interface (port scans, floods, sensitive ports, Modbus; "
      "needs CAP_NET_RAW; settings from `network_monitor:` in --config, see docs/netmon.md)");
  add(a, "--netmon-filter", s.netmon_filter,
      "BPF filter for --interface, e.g. 'tcp or udp or icmp'");
  add(a, "--update-interval", s.update_interval,
      "seconds between `update` records of a scan or flood still going on --interface (at most "
      "one per interval; `detected` is sent when decided, `ended` once; default: "
      "network_monitor.detection.report_interval, 60)")
      .range(0, 1e7, "seconds");
  add(a, "--tamper-interval", s.tamper_interval,
      "seconds between scans for processes with faked time (libfaketime, time namespaces), "
      "clock sets and kernel frequency changes; 0 turns the scan off (--once scans once)")
      .range(0, 86400, "seconds");
}

std::vector<ServerSpec> server_specs(const AgentSettings& settings) {
  std::vector<ServerSpec> specs;
  for (const auto& text : settings.ntp_servers) {
    if (text.empty()) continue;  // "a,,b" and a trailing comma
    auto parsed = platform::split_host_port(text);
    if (!parsed) throw std::invalid_argument(fmt::format("'{}': {}", text, parsed.error()));
    ServerSpec spec{"", parsed->host, parsed->port.value_or(123)};
    const bool v6 = spec.host.find(':') != std::string::npos;
    spec.label = v6 ? fmt::format("[{}]:{}", spec.host, spec.port)
                    : fmt::format("{}:{}", spec.host, spec.port);
    specs.push_back(std::move(spec));
  }
  if (specs.empty()) throw std::invalid_argument("no NTP server given");
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
  transport::SenderOptions o;  // finish_agent_settings checked the endpoint and the keys
  o.collector = s.collector;
  o.collector_key_file = s.collector_key;
  o.key_file = s.key;
  o.spool = spool_options(s);
  o.spool.directory /= "zmq";  // its own spool: the MQTT sink's is the directory itself
  o.identity.agent_id = s.agent_id.empty() ? default_agent_id() : s.agent_id;
  o.identity.node.hostname = default_agent_id();
  o.identity.version = CW_VERSION;
  o.rate.events_per_second = s.max_events_per_second;
  o.inbox_limit = s.queue_events;
  o.heartbeat_interval =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s.heartbeat_interval));
  return o;
}

namespace {

bool has(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// "--collector-key F.pub (environment CW_AGENT_COLLECTOR_KEY, YAML agent.collector_key)"
std::string to_add(const CLI::App& agent, const std::string& flag, const std::string& argument) {
  return flag + " " + argument + " " + option_places(*agent.get_option(flag), "agent");
}

void check_zmq_sink(const AgentSettings& s, const CLI::App& agent) {
  if (s.collector.empty())
    throw_usage(agent, "--collector",
                "--sink zmq needs the collector's endpoint (tcp://HOST:5555): add it");
  std::vector<std::string> missing;
  if (s.collector_key.empty()) missing.push_back(to_add(agent, "--collector-key", "COLLECTOR.pub"));
  if (s.key.empty()) missing.push_back(to_add(agent, "--key", "AGENT.key"));
  if (!missing.empty())
    throw CLI::ValidationError(
        missing.size() == 2 ? "--collector-key"
                            : missing.front().substr(0, missing.front().find(' ')),
        fmt::format("sending to the collector {} needs CURVE keys: add {} (`chronowatch keygen` "
                    "writes them)",
                    s.collector, fmt::join(missing, " and ")));
}

}  // namespace

void finish_agent_settings(AgentSettings& s, const CLI::App& agent) {
  try {
    server_specs(s);
  } catch (const std::invalid_argument& error) {
    throw_usage(agent, "--ntp-server", error.what());
  }
  if (agent.get_option("--sink")->count() == 0 && !s.collector.empty()) s.sinks = {"zmq"};
  if (has(s.sinks, "zmq")) check_zmq_sink(s, agent);
  s.netmon = netmon_config_for(agent);
  if (s.update_interval > 0) s.netmon.report_interval = from_seconds(s.update_interval);
}

std::string settings_json(const AgentSettings& s) {
  nlohmann::ordered_json j;
  j["agent_id"] = s.agent_id.empty() ? default_agent_id() : s.agent_id;
  j["once"] = s.once;
  j["sinks"] = s.sinks;
  j["ntp_servers"] = nlohmann::ordered_json::array();
  for (const auto& spec : server_specs(s)) j["ntp_servers"].push_back(spec.label);
  j["threshold"] = s.threshold;
  j["poll_interval"] = s.poll_interval;
  j["kernel_timestamps"] = s.kernel_timestamps;
  j["mqtt"] = {{"host", s.mqtt_host}, {"port", s.mqtt_port}, {"topic", s.mqtt_topic}};
  j["collector"] = {{"endpoint", s.collector},
                    {"collector_key", s.collector_key},
                    {"key", s.key},
                    {"heartbeat_interval", s.heartbeat_interval},
                    {"max_events_per_second", s.max_events_per_second},
                    {"queue_events", s.queue_events}};
  j["spool_dir"] = s.spool_dir;
  const auto& d = s.netmon;
  j["network_monitor"] = {{"interface", s.interface},
                          {"filter", s.netmon_filter},
                          {"update_interval", to_seconds(s.netmon.report_interval)},
                          {"port_scan_threshold", d.port_scan.threshold},
                          {"max_connections_per_ip", d.connection_flood.max_connections_per_ip},
                          {"suspicious_ports", d.sensitive.suspicious_ports},
                          {"scada_ports", d.sensitive.scada_ports}};
  return j.dump();
}

}  // namespace cw::apps
