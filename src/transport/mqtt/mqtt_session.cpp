// transport/mqtt/mqtt_session.cpp — see transport/mqtt_session.h.
#include "transport/mqtt/mqtt_session.h"

#include <fmt/format.h>

#include <filesystem>
#include <mutex>

namespace cw::transport {
namespace {

constexpr const char* kOnline = "online";
constexpr const char* kOffline = "offline";

// MQTT 3.1.1 §3.2.2.3: why a broker refused the connection (Paho says only "CONNACK return code").
std::string connack_reason(const mqtt::exception& error) {
  if (error.get_message().find("CONNACK") == std::string::npos) return {};
  switch (error.get_return_code()) {
    case 1:
      return " (the broker refused: unacceptable protocol version)";
    case 2:
      return " (the broker refused: client identifier rejected; check --mqtt-client-id)";
    case 3:
      return " (the broker refused: server unavailable)";
    case 4:
      return " (the broker refused: bad user name or password; check MQTT_USERNAME)";
    case 5:
      return " (the broker refused: not authorized; check MQTT_USERNAME and MQTT_PASSWORD)";
    default:
      return {};
  }
}

}  // namespace

std::string MqttOptions::uri() const {
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}", tls.enabled() ? "ssl" : "tcp", v6 ? "[" : "", host,
                     v6 ? "]" : "", port);
}

MqttSession::PahoGlobalInit::PahoGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    MQTTAsync_init_options init = MQTTAsync_init_options_initializer;
    init.do_openssl_init = 0;
    MQTTAsync_global_init(&init);
  });
}

MqttSession::MqttSession(MqttOptions options)
    : options_(std::move(options)),
      client_(options_.uri(), options_.client_id, mqtt::create_options(MQTTVERSION_3_1_1)) {}

MqttSession::~MqttSession() {
  try {
    if (client_.is_connected()) client_.disconnect()->wait_for(options_.connect_timeout);
  } catch (const mqtt::exception&) {
  }
}

bool MqttSession::connected() const { return client_.is_connected(); }

mqtt::connect_options MqttSession::connect_options() {
  auto builder = mqtt::connect_options_builder()
                     .clean_session(true)
                     .keep_alive_interval(options_.keep_alive)
                     .connect_timeout(options_.connect_timeout)
                     .will(mqtt::message(options_.effective_status_topic(), kOffline, 1, true));
  if (!options_.username.empty()) builder.user_name(options_.username);
  if (!options_.password.empty()) builder.password(options_.password);
  if (options_.tls.enabled()) {
    auto ssl = mqtt::ssl_options_builder().enable_server_cert_auth(true).verify(true).error_handler(
        [this](const std::string& message) {
          std::lock_guard lock(tls_error_mutex_);
          tls_error_ = message;
        });
    if (!options_.tls.ca_file.empty()) ssl.trust_store(options_.tls.ca_file);
    if (!options_.tls.cert_file.empty()) ssl.key_store(options_.tls.cert_file);
    if (!options_.tls.key_file.empty()) ssl.private_key(options_.tls.key_file);
    builder.ssl(ssl.finalize());
  }
  return builder.finalize();
}

std::string MqttSession::describe(const mqtt::exception& error) {
  std::string text = fmt::format("cannot reach MQTT broker {}: {}{}", options_.uri(), error.what(),
                                 connack_reason(error));
  std::lock_guard lock(tls_error_mutex_);
  if (!tls_error_.empty()) {
    text += fmt::format(" (TLS: {}; check --mqtt-tls-ca and the broker's certificate)", tls_error_);
    tls_error_.clear();
  }
  return text;
}

Result<void, std::string> MqttSession::connect() {
  if (options_.tls.enabled()) {
    for (const auto& file : {options_.tls.ca_file, options_.tls.cert_file, options_.tls.key_file})
      if (!file.empty() && !std::filesystem::is_regular_file(file))
        return fail(fmt::format("MQTT TLS file {} does not exist or is not a file", file));
  }
  try {
    auto token = client_.connect(connect_options());
    if (!token->wait_for(options_.connect_timeout + std::chrono::seconds{1}))
      return fail(fmt::format("cannot reach MQTT broker {}: connect timed out", options_.uri()));
  } catch (const mqtt::exception& error) {
    return fail(describe(error));
  }
  const std::string online = kOnline;
  return publish(options_.effective_status_topic(), std::as_bytes(std::span{online}), 1, true);
}

Result<void, std::string> MqttSession::publish(const std::string& topic,
                                               std::span<const std::byte> payload, int qos,
                                               bool retained) {
  try {
    auto message = mqtt::make_message(topic, payload.data(), payload.size(), qos, retained);
    auto token = client_.publish(message);
    if (!token->wait_for(options_.publish_timeout))
      return fail(fmt::format("MQTT broker {} did not acknowledge within {} ms", options_.uri(),
                              options_.publish_timeout.count()));
    return {};
  } catch (const mqtt::exception& error) {
    return fail(fmt::format("publish to MQTT broker {} failed: {}", options_.uri(), error.what()));
  }
}

void MqttSession::disconnect() {
  try {
    if (!client_.is_connected()) return;
    const std::string offline = kOffline;
    (void)publish(options_.effective_status_topic(), std::as_bytes(std::span{offline}), 1, true);
    client_.disconnect()->wait_for(options_.connect_timeout);
  } catch (const mqtt::exception&) {
  }
}

}  // namespace cw::transport
