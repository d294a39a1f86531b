// transport/mqtt/mqtt_session.h — one Paho MQTT C++ connection used by one thread: connect (with
// TLS, credentials, clean session and the last will "offline" on the status topic), publish and
// wait for the broker's acknowledgement, disconnect cleanly. Failures come back as text for the
// log, including OpenSSL's reason when TLS fails ("certificate verify failed").
#pragma once

#include <mqtt/async_client.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "core/result.h"
#include "transport/mqtt/mqtt_options.h"

namespace cw::transport {

class MqttSession {
 public:
  explicit MqttSession(MqttOptions options);  // throws std::invalid_argument on a bad URI/id
  ~MqttSession();
  MqttSession(const MqttSession&) = delete;
  MqttSession& operator=(const MqttSession&) = delete;

  // Connects and publishes the retained "online" status. An error says why in one line.
  Result<void, std::string> connect();
  bool connected() const;
  // Publishes and, for QoS ≥ 1, waits for PUBACK/PUBCOMP up to publish_timeout.
  Result<void, std::string> publish(const std::string& topic, std::span<const std::byte> payload,
                                    int qos, bool retained);
  // Publishes the retained "offline" status and disconnects (best effort).
  void disconnect();
  const MqttOptions& options() const { return options_; }

 private:
  // Paho's process-wide setup, before the first client: Paho must not initialise OpenSSL itself
  // (strings, all algorithms, config file: ~1.4 MB resident in an agent without TLS); OpenSSL 3
  // initialises itself when a TLS connection first needs it.
  struct PahoGlobalInit {
    PahoGlobalInit();
  };

  mqtt::connect_options connect_options();
  std::string describe(const mqtt::exception& error);

  MqttOptions options_;
  PahoGlobalInit paho_init_;  // before client_
  mqtt::async_client client_;
  std::mutex tls_error_mutex_;
  std::string tls_error_;  // the last OpenSSL error Paho reported
};

}  // namespace cw::transport
