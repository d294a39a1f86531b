// apps/agent/agent_settings.h — everything `chronowatch agent` can be told, by flag, environment
// variable (THRESHOLD, NTP_SRV, MQTT_HOST, MQTT_PORT, MQTT_TOPIC as the original drift agent named
// them, CW_AGENT_* for the rest) or the `agent:` section of the YAML config file (and seed 002's
// `zeromq.publisher:` keys); flags win over environment, environment over file. Values are checked
// while parsing: a bad one is a usage error (exit 2) naming the flag, the variable and the key.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "apps/common/options.h"
#include "detect/clock/clock_config.h"
#include "detect/netmon_config.h"
#include "transport/mqtt/mqtt_options.h"
#include "transport/spool/spool.h"
#include "transport/zmq/zmq_event_sender.h"

namespace cw::apps {

struct AgentSettings {
  bool once = false;
  bool json = false;
  bool check_config = false;     // print the settings and exit
  bool no_seccomp = false;       // daemon: do not install the seccomp filter once started
  std::string agent_id;          // default: the host name
  double poll_interval = 64;     // seconds
  double threshold = 300;        // seconds (seed 000)
  double hysteresis = 0;         // seconds; 0: threshold / 10
  double repeat_interval = 300;  // first repeat of time_drift, seconds
  double repeat_max = 3600;      // longest interval between repeats, seconds
  double step_threshold = 0.1;   // seconds
  double frequency_limit = 100;  // ppm
  std::vector<std::string> ntp_servers{"2.ar.pool.ntp.org"};
  int burst = 4;                   // exchanges per server in --once and the first poll
  double ntp_timeout = 2;          // seconds per exchange
  bool kernel_timestamps = false;  // see --help: off so that a faked clock is measured
  bool nts = false;                // NTS (RFC 8915) for every NTP server
  std::string nts_ca;              // trust store for NTS-KE; empty: the system's
  int nts_ke_port = 4460;
  std::vector<std::string> sinks{"mqtt"};
  std::string mqtt_host = "localhost";
  int mqtt_port = 1883;
  std::string mqtt_topic = "LAB/time_drift/agent1";
  std::string mqtt_status_topic;
  std::string mqtt_client_id;
  std::string mqtt_username;
  std::string mqtt_password;
  int mqtt_qos = 1;
  std::string mqtt_tls_ca, mqtt_tls_cert, mqtt_tls_key;
  double mqtt_timeout = 10;        // seconds to wait for delivery in --once and at exit
  double mqtt_reconnect_max = 30;  // seconds
  std::string spool_dir = "/var/lib/chronowatch/agent-spool";
  std::uint64_t spool_max_bytes = 64u << 20;
  std::string collector;               // ZeroMQ collector endpoint (seed 002: tcp://HOST:5555)
  std::string collector_key;           // the collector's public key file (NAME.pub)
  std::string key;                     // this agent's secret key file (NAME.key)
  double heartbeat_interval = 30;      // seconds (seed 002)
  double max_events_per_second = 100;  // to the collector (seed 002)
  std::string interface;               // network monitor: capture here (seed 002's --interface)
  double tamper_interval = 10;         // seconds between tamper scans; 0: off
  double update_interval = 0;  // seconds between an attack's `update` records; 0: report_interval
  std::string netmon_filter;   // its BPF filter
  std::size_t queue_events = 100000;  // in memory before the rate limit (seed's high_water_mark)
  detect::NetmonConfig netmon;        // `network_monitor:` of --config, read while parsing
  std::string metrics;                // --metrics ADDR:PORT: Prometheus text at /metrics
};

// Registers the options on the `agent` subcommand.
void add_agent_options(CommandOptions& agent, AgentSettings& settings);
// Adds the `agent` subcommand to `app` with its options into `settings`, without a callback
// (agent_command.cpp; also used by a reload to read the command line again).
CLI::App* add_agent_subcommand(CLI::App& app, AgentSettings& settings);
// From the parse callback: the checks that involve several options (a sink and what it needs),
// the default sink (zmq when a collector is given without --sink), and the `network_monitor:`
// section. Throws CLI::ValidationError naming the flags, variables and keys to add (exit 2).
void finish_agent_settings(AgentSettings& settings, const CLI::App& agent);
// The settings as JSON, for --check-config.
std::string settings_json(const AgentSettings& settings);

// One NTP server as configured: "host", "host:port", "[v6]:port".
struct ServerSpec {
  std::string label;  // "host:port", the name used in events
  std::string host;
  std::uint16_t port = 123;
};
// Throws std::invalid_argument for a malformed entry (finish_agent_settings names NTP_SRV).
std::vector<ServerSpec> server_specs(const AgentSettings& settings);

detect::ClockMonitorConfig monitor_config(const AgentSettings& settings);
transport::MqttOptions mqtt_options(const AgentSettings& settings);
transport::SpoolOptions spool_options(const AgentSettings& settings);
// The ZeroMQ sink's sender: keys, collector, its own spool under --spool-dir/zmq, rate, heartbeats.
transport::SenderOptions sender_options(const AgentSettings& settings);
std::string default_agent_id();  // the host name

}  // namespace cw::apps
