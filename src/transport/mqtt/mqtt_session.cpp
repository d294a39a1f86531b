// transport/mqtt/mqtt_session.cpp — see transport/mqtt_session.h.
#include "transport/mqtt/mqtt_session.h"

#include <MQTTAsync.h>
#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "platform/lazy_library.h"

namespace cw::transport {

// The MQTTAsync calls we make, resolved in one of Paho's two builds (same API and names).
struct PahoApi {
  decltype(&MQTTAsync_global_init) global_init;
  decltype(&MQTTAsync_createWithOptions) create;
  decltype(&MQTTAsync_connect) connect;
  decltype(&MQTTAsync_sendMessage) send;
  decltype(&MQTTAsync_isConnected) is_connected;
  decltype(&MQTTAsync_disconnect) disconnect;
  decltype(&MQTTAsync_destroy) destroy;
  decltype(&MQTTAsync_strerror) strerror;
};

namespace {

constexpr const char* kOnline = "online";
constexpr const char* kOffline = "offline";

PahoApi resolve(platform::LazyLibrary& library) {
  PahoApi api{library.symbol<decltype(&MQTTAsync_global_init)>("MQTTAsync_global_init"),
              library.symbol<decltype(&MQTTAsync_createWithOptions)>("MQTTAsync_createWithOptions"),
              library.symbol<decltype(&MQTTAsync_connect)>("MQTTAsync_connect"),
              library.symbol<decltype(&MQTTAsync_sendMessage)>("MQTTAsync_sendMessage"),
              library.symbol<decltype(&MQTTAsync_isConnected)>("MQTTAsync_isConnected"),
              library.symbol<decltype(&MQTTAsync_disconnect)>("MQTTAsync_disconnect"),
              library.symbol<decltype(&MQTTAsync_destroy)>("MQTTAsync_destroy"),
              library.symbol<decltype(&MQTTAsync_strerror)>("MQTTAsync_strerror")};
  // Paho must not initialise OpenSSL itself (strings, all algorithms, config file: ~1.4 MB
  // resident); OpenSSL 3 initialises itself when a TLS connection first needs it.
  MQTTAsync_init_options init = MQTTAsync_init_options_initializer;
  init.do_openssl_init = 0;
  api.global_init(&init);
  return api;
}

const PahoApi& paho(bool tls) {
  static platform::LazyLibrary plain{"libpaho-mqtt3a.so.1", "libpaho-mqtt1.3"};
  static platform::LazyLibrary with_tls{"libpaho-mqtt3as.so.1", "libpaho-mqtt1.3"};
  if (tls) {
    static const PahoApi api = resolve(with_tls);
    return api;
  }
  static const PahoApi api = resolve(plain);
  return api;
}

// One command's completion (connect, publish, disconnect), signalled from Paho's thread. The
// callbacks own a reference, so a completion that comes after we stopped waiting is harmless.
struct Completion {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false, ok = false;
  int code = 0;
  std::string message;

  void finish(bool success, int rc, const char* text) {
    std::lock_guard lock(mutex);
    done = true, ok = success, code = rc, message = text ? text : "";
    done_cv.notify_all();
  }
  bool wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex);
    return done_cv.wait_for(lock, timeout, [this] { return done; });
  }
};
using CompletionRef = std::shared_ptr<Completion>;

void on_success(void* context, MQTTAsync_successData*) {
  std::unique_ptr<CompletionRef> ref(static_cast<CompletionRef*>(context));
  (*ref)->finish(true, 0, nullptr);
}

void on_failure(void* context, MQTTAsync_failureData* response) {
  std::unique_ptr<CompletionRef> ref(static_cast<CompletionRef*>(context));
  (*ref)->finish(false, response ? response->code : -1, response ? response->message : nullptr);
}

template <typename Options>
CompletionRef expect(Options& options) {
  auto completion = std::make_shared<Completion>();
  options.onSuccess = on_success;
  options.onFailure = on_failure;
  options.context = new CompletionRef(completion);
  return completion;
}

// A command Paho refused to queue: its callbacks will never run.
void forget(void* context) { delete static_cast<CompletionRef*>(context); }

int on_tls_error(const char* text, size_t length, void* session) {
  static_cast<MqttSession*>(session)->tls_error(std::string(text, length));
  return 0;
}

// MQTT 3.1.1 §3.2.2.3: why a broker refused the connection (Paho says only "CONNACK return code").
std::string connack_reason(const Completion& failure) {
  if (failure.message.find("CONNACK") == std::string::npos) return {};
  switch (failure.code) {
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

const char* or_null(const std::string& text) { return text.empty() ? nullptr : text.c_str(); }

}  // namespace

std::string MqttOptions::uri() const {
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}", tls.enabled() ? "ssl" : "tcp", v6 ? "[" : "", host,
                     v6 ? "]" : "", port);
}

MqttSession::MqttSession(MqttOptions options)
    : options_(std::move(options)), paho_(paho(options_.tls.enabled())) {
  MQTTAsync_createOptions create = MQTTAsync_createOptions_initializer;
  create.MQTTVersion = MQTTVERSION_3_1_1;
  const int rc = paho_.create(&client_, options_.uri().c_str(), options_.client_id.c_str(),
                              MQTTCLIENT_PERSISTENCE_NONE, nullptr, &create);
  if (rc != MQTTASYNC_SUCCESS)
    throw std::invalid_argument(
        fmt::format("MQTT broker {}: {}", options_.uri(), paho_.strerror(rc)));
}

MqttSession::~MqttSession() {
  if (connected()) close_connection();
  paho_.destroy(&client_);
}

void MqttSession::close_connection() {
  MQTTAsync_disconnectOptions options = MQTTAsync_disconnectOptions_initializer;
  auto done = expect(options);
  if (paho_.disconnect(client_, &options) == MQTTASYNC_SUCCESS)
    done->wait(options_.connect_timeout);
  else
    forget(options.context);
}

bool MqttSession::connected() const { return paho_.is_connected(client_) != 0; }

void MqttSession::tls_error(std::string message) {
  std::lock_guard lock(tls_error_mutex_);
  tls_error_ = std::move(message);
}

Result<void, std::string> MqttSession::connect() {
  const auto& tls = options_.tls;
  if (tls.enabled()) {
    for (const auto& file : {tls.ca_file, tls.cert_file, tls.key_file})
      if (!file.empty() && !std::filesystem::is_regular_file(file))
        return fail(fmt::format("MQTT TLS file {} does not exist or is not a file", file));
  }
  const std::string status = options_.effective_status_topic();
  MQTTAsync_willOptions will = MQTTAsync_willOptions_initializer;
  will.topicName = status.c_str();
  will.message = kOffline;
  will.retained = 1;
  will.qos = 1;
  MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
  ssl.trustStore = or_null(tls.ca_file);
  ssl.keyStore = or_null(tls.cert_file);
  ssl.privateKey = or_null(tls.key_file);
  ssl.enableServerCertAuth = 1;
  ssl.verify = 1;
  ssl.ssl_error_cb = on_tls_error;
  ssl.ssl_error_context = this;
  MQTTAsync_connectOptions options = MQTTAsync_connectOptions_initializer;
  options.keepAliveInterval = static_cast<int>(options_.keep_alive.count());
  options.cleansession = 1;
  options.connectTimeout =
      static_cast<int>(std::max<std::int64_t>(1, (options_.connect_timeout.count() + 999) / 1000));
  options.will = &will;
  options.username = or_null(options_.username);
  options.password = or_null(options_.password);
  if (tls.enabled()) options.ssl = &ssl;
  auto done = expect(options);
  if (const int rc = paho_.connect(client_, &options); rc != MQTTASYNC_SUCCESS) {
    forget(options.context);
    return fail(fmt::format("cannot reach MQTT broker {}: {}", options_.uri(), paho_.strerror(rc)));
  }
  if (!done->wait(options_.connect_timeout + std::chrono::seconds{1}))
    return fail(fmt::format("cannot reach MQTT broker {}: connect timed out", options_.uri()));
  if (!done->ok) {
    std::string text = fmt::format("cannot reach MQTT broker {}: {} [{}]{}", options_.uri(),
                                   done->message.empty() ? "connect failed" : done->message,
                                   done->code, connack_reason(*done));
    std::lock_guard lock(tls_error_mutex_);
    if (!tls_error_.empty()) {
      text +=
          fmt::format(" (TLS: {}; check --mqtt-tls-ca and the broker's certificate)", tls_error_);
      tls_error_.clear();
    }
    return fail(text);
  }
  const std::string online = kOnline;
  return publish(status, std::as_bytes(std::span{online}), 1, true);
}

Result<void, std::string> MqttSession::publish(const std::string& topic,
                                               std::span<const std::byte> payload, int qos,
                                               bool retained) {
  MQTTAsync_message message = MQTTAsync_message_initializer;
  message.payload = const_cast<std::byte*>(payload.data());  // Paho copies it
  message.payloadlen = static_cast<int>(payload.size());
  message.qos = qos;
  message.retained = retained ? 1 : 0;
  MQTTAsync_responseOptions options = MQTTAsync_responseOptions_initializer;
  auto done = expect(options);
  if (const int rc = paho_.send(client_, topic.c_str(), &message, &options);
      rc != MQTTASYNC_SUCCESS) {
    forget(options.context);
    return fail(
        fmt::format("publish to MQTT broker {} failed: {}", options_.uri(), paho_.strerror(rc)));
  }
  if (!done->wait(options_.publish_timeout))
    return fail(fmt::format("MQTT broker {} did not acknowledge within {} ms", options_.uri(),
                            options_.publish_timeout.count()));
  if (!done->ok)
    return fail(fmt::format("publish to MQTT broker {} failed: {} [{}]", options_.uri(),
                            done->message.empty() ? "not delivered" : done->message, done->code));
  return {};
}

void MqttSession::disconnect() {
  if (!connected()) return;
  const std::string offline = kOffline;
  (void)publish(options_.effective_status_topic(), std::as_bytes(std::span{offline}), 1, true);
  close_connection();
}

}  // namespace cw::transport
