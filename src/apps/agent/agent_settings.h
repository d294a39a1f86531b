// apps/agent/agent_settings.h — everything `chronowatch agent` can be told, by flag, environment
// variable (seed 000's THRESHOLD, NTP_SRV, MQTT_HOST, MQTT_PORT, MQTT_TOPIC, and more) or the
// `agent:` section of the YAML config file; flags win over environment, environment over file.
// Values are checked as they are read: a bad one stops the agent at start with a message naming
// the flag and the variable.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "detect/clock_config.h"
#include "transport/mqtt/mqtt_options.h"
#include "transport/spool/spool.h"
#include "transport/zmq/zmq_event_sender.h"

namespace cw::apps {

struct AgentSettings {
  bool once = false;
  bool json = false;
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
  std::string netmon_filter;           // its BPF filter
  std::string config_path;             // the root --config, for its `network_monitor:` section
};

// Registers the options on the `agent` subcommand.
void add_agent_options(CLI::App& agent, AgentSettings& settings);

// One NTP server as configured: "host", "host:port", "[v6]:port".
struct ServerSpec {
  std::string label;  // "host:port", the name used in events
  std::string host;
  std::uint16_t port = 123;
};
// Throws CLI::ValidationError naming NTP_SRV for a malformed entry.
std::vector<ServerSpec> server_specs(const AgentSettings& settings);

detect::ClockMonitorConfig monitor_config(const AgentSettings& settings);
transport::MqttOptions mqtt_options(const AgentSettings& settings);
transport::SpoolOptions spool_options(const AgentSettings& settings);
// The ZeroMQ sink's sender: keys, collector, its own spool under --spool-dir/zmq, rate, heartbeats.
transport::SenderOptions sender_options(const AgentSettings& settings);
std::string default_agent_id();  // the host name

}  // namespace cw::apps
