// transport/mqtt/mqtt_session.h — one MQTT connection (Paho's C MQTTAsync API) used by one thread:
// connect (with TLS, credentials, clean session and the last will "offline" on the status topic),
// publish and wait for the broker's acknowledgement, disconnect cleanly. Failures come back as
// text for the log, including OpenSSL's reason when TLS fails ("certificate verify failed").
// Paho is opened on first use (platform/lazy_library.h): libpaho-mqtt3a without TLS, so an agent
// that does not use TLS never maps libssl and libcrypto; libpaho-mqtt3as with --mqtt-tls-*.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "core/result.h"
#include "transport/mqtt/mqtt_options.h"

namespace cw::transport {

struct PahoApi;  // the MQTTAsync functions of the library in use (mqtt_session.cpp)

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

  // OpenSSL's reason for a failed TLS handshake, from Paho's TLS error callback.
  void tls_error(std::string message);

 private:
  void close_connection();  // MQTTAsync_disconnect, waited for up to connect_timeout

  MqttOptions options_;
  const PahoApi& paho_;
  void* client_ = nullptr;  // MQTTAsync
  std::mutex tls_error_mutex_;
  std::string tls_error_;  // the last OpenSSL error Paho reported
};

}  // namespace cw::transport
