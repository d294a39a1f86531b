// transport/mqtt/mqtt_options.h — how to reach the MQTT broker (seed 000: MQTT_HOST, MQTT_PORT,
// MQTT_TOPIC) and what the agent says there: QoS, credentials, TLS, the retained status topic with
// its last will, and the reconnect back-off.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace cw::transport {

using namespace std::chrono_literals;

struct MqttTls {
  std::string ca_file;    // trust these CAs for the broker's certificate (enables TLS)
  std::string cert_file;  // client certificate (PEM), for brokers that require one
  std::string key_file;   // its private key (PEM)
  bool enabled() const { return !ca_file.empty() || !cert_file.empty(); }
};

struct MqttOptions {
  std::string host = "localhost";
  std::uint16_t port = 1883;
  std::string topic = "LAB/time_drift/agent1";
  std::string status_topic;  // retained "online", last will "offline"; empty: <topic>/status
  std::string client_id;     // unique per agent (the agent derives it from its agent id)
  std::string username;
  std::string password;
  int qos = 1;  // 0, 1 or 2; with 1 and 2 a publish counts only once acknowledged
  MqttTls tls;
  std::chrono::seconds keep_alive = 30s;
  std::chrono::milliseconds connect_timeout = 5s;
  std::chrono::milliseconds publish_timeout = 10s;
  std::chrono::milliseconds reconnect_min = 500ms;  // back-off doubles from here ...
  std::chrono::milliseconds reconnect_max = 30s;    // ... up to here

  std::string uri() const;  // tcp://host:port or ssl://host:port ([v6] bracketed)
  std::string effective_status_topic() const {
    return status_topic.empty() ? topic + "/status" : status_topic;
  }
};

}  // namespace cw::transport
