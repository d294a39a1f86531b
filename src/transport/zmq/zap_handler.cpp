// transport/zmq/zap_handler.cpp — ZAP (ZMQ RFC 27) handler with a directory allow-list of CURVE
// keys.
#include "transport/zmq/zap_handler.h"

#include <spdlog/spdlog.h>

#include <array>
#include <vector>

#include "pipeline/agent_claims.h"
#include "transport/zmq/curve_keys.h"

namespace cw::transport {
namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr auto kPollInterval = std::chrono::milliseconds(250);

std::string z85_of(const zmq::message_t& key) {
  if (key.size() != 32) return {};
  std::array<char, kZ85KeyLength + 1> text{};
  zmq_z85_encode(text.data(), static_cast<const std::uint8_t*>(key.data()), key.size());
  return text.data();
}

// The newest modification time of the directory and its *.pub files: adding, removing or
// renaming a file moves the directory's, editing one in place (an `agents:` line) moves its own.
std::filesystem::file_time_type allow_list_time(const std::filesystem::path& directory) {
  std::error_code error;
  auto newest = std::filesystem::last_write_time(directory, error);
  // Error codes throughout: a read error must not throw out of the ZAP thread (std::terminate).
  for (std::filesystem::directory_iterator it{directory, error}, end; !error && it != end;
       it.increment(error)) {
    if (it->path().extension() != ".pub") continue;
    std::error_code file_error;
    const auto time = it->last_write_time(file_error);
    if (!file_error && time > newest) newest = time;
  }
  return newest;
}

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& context, std::filesystem::path authorized_keys_dir,
                       Clock& clock)
    : directory_(std::move(authorized_keys_dir)),
      clock_(clock),
      socket_(context, zmq::socket_type::rep) {
  if (!std::filesystem::is_directory(directory_))
    throw std::runtime_error("authorized keys directory does not exist: " + directory_.string());
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind(kZapEndpoint);
  reload_if_needed();
  thread_ = std::thread([this] { run(); });
}

ZapHandler::~ZapHandler() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

ZapStats ZapHandler::stats() const {
  return {accepted_.load(), refused_.load(), reloads_.load(), key_count_.load(), checks_.load()};
}

void ZapHandler::run() {
  auto last_check = clock_.monotonic_now();
  while (!stop_) {
    std::array<zmq::pollitem_t, 1> items{{{socket_.handle(), 0, ZMQ_POLLIN, 0}}};
    try {
      zmq::poll(items, kPollInterval);
      const auto now = clock_.monotonic_now();
      if (now - last_check >= kPollInterval) {
        last_check = now;
        if (allow_list_time(directory_) != directory_mtime_) reload_requested_ = true;
        checks_.fetch_add(1, std::memory_order_relaxed);
      }
      reload_if_needed();
      if (items[0].revents & ZMQ_POLLIN) answer(socket_);
    } catch (const zmq::error_t& error) {
      if (error.num() == ETERM) break;
      spdlog::warn("zap: {}", error.what());
    }
  }
  socket_.close();
}

void ZapHandler::reload_if_needed() {
  if (!reload_requested_.exchange(false)) return;
  directory_mtime_ = allow_list_time(directory_);
  try {
    auto keys = load_authorized_keys(directory_);
    for (const auto& file : keys.rejected_files)
      spdlog::warn("zap: {} holds no valid Z85 public key; ignored", file);
    names_by_key_ = std::move(keys.names_by_key);
    {
      std::lock_guard lock(claims_mutex_);
      claims_by_name_ = std::move(keys.claims_by_name);
    }
    key_count_ = names_by_key_.size();
    ++reloads_;
    spdlog::info("zap: {} authorized agent keys from {}", names_by_key_.size(),
                 directory_.string());
  } catch (const std::exception& failure) {
    spdlog::error("zap: keeping the previous allow-list: {}", failure.what());
  }
}

bool ZapHandler::may_claim(const std::string& key_name, const std::string& agent_id) const {
  std::lock_guard lock(claims_mutex_);
  const auto found = claims_by_name_.find(key_name);
  if (found == claims_by_name_.end()) return pipeline::may_claim(key_name, {}, agent_id);
  return pipeline::may_claim(key_name, found->second, agent_id);
}

// Request: version, request id, domain, address, routing id, mechanism, credentials...
// Reply: version, request id, status code, status text, user id, metadata (RFC 27 §"Reply").
void ZapHandler::answer(zmq::socket_t& socket) {
  std::vector<zmq::message_t> request;
  while (true) {
    zmq::message_t part;
    if (!socket.recv(part, zmq::recv_flags::dontwait)) return;
    const bool more = part.more();
    request.push_back(std::move(part));
    if (!more) break;
  }
  std::string status = "400", text = "unknown key", user;
  if (request.size() >= 7 && request[5].to_string_view() == "CURVE") {
    const std::string key = z85_of(request[6]);
    if (auto found = names_by_key_.find(key); found != names_by_key_.end()) {
      status = "200", text = "OK", user = found->second;
    } else {
      if (warned_keys_.insert(key).second)  // once per key: refused clients retry forever
        spdlog::warn(
            "zap: refused CURVE key {} from {} (not in the allow-list; add its .pub to {})", key,
            request[3].to_string(), directory_.string());
    }
  } else {
    text = "CURVE required";
  }
  (status == "200" ? accepted_ : refused_)++;
  const std::string request_id = request.size() > 1 ? request[1].to_string() : std::string{};
  socket.send(zmq::buffer(std::string_view{"1.0"}), zmq::send_flags::sndmore);
  socket.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
  socket.send(zmq::buffer(status), zmq::send_flags::sndmore);
  socket.send(zmq::buffer(text), zmq::send_flags::sndmore);
  socket.send(zmq::buffer(user), zmq::send_flags::sndmore);
  socket.send(zmq::message_t{}, zmq::send_flags::none);
}

}  // namespace cw::transport
