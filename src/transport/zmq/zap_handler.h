// transport/zmq/zap_handler.h — the collector's gatekeeper: a ZeroMQ Authentication Protocol
// handler (ZMQ RFC 27/ZAP) that admits a CURVE client only if its public key is in the allow-list
// directory (*.pub files). The directory is re-read on request (SIGHUP) and when it or one of
// its .pub files changes (modification times, checked every 250 ms).
// The ZAP user id of an admitted client is its key file's name; may_claim() tells which agent ids
// that name may speak for (transport/agent_claims.h), for the collector's check of each hello.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "core/clock.h"

namespace cw::transport {

struct ZapStats {
  std::uint64_t accepted = 0;         // handshakes admitted
  std::uint64_t refused = 0;          // unknown keys (and non-CURVE mechanisms)
  std::uint64_t reloads = 0;          // times the allow-list was read
  std::uint64_t authorized_keys = 0;  // keys in the allow-list now
  std::uint64_t checks = 0;           // times the directory was looked at for a change
};

// Binds inproc://zeromq.zap.01 in `context` before the constructor returns (libzmq lets every
// CURVE client in when no handler is bound, so the collector must create this first).
class ZapHandler {
 public:
  // `clock` paces the checks of the directory (the caller's; a fake one in tests).
  ZapHandler(zmq::context_t& context, std::filesystem::path authorized_keys_dir, Clock& clock);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  void request_reload() { reload_requested_ = true; }  // async-signal-safe
  ZapStats stats() const;
  // Thread-safe: whether the key authorized as `key_name` may say hello as `agent_id` (its own
  // name, or what its file's `agents:` lines grant), by the allow-list as last read.
  bool may_claim(const std::string& key_name, const std::string& agent_id) const;

 private:
  void run();
  void reload_if_needed();
  void answer(zmq::socket_t& socket);

  std::filesystem::path directory_;
  Clock& clock_;
  zmq::socket_t socket_;
  std::map<std::string, std::string> names_by_key_;  // owned by the handler thread
  std::set<std::string> warned_keys_;
  mutable std::mutex claims_mutex_;  // claims_by_name_ is read by the collector's ingest thread
  std::map<std::string, std::vector<std::string>> claims_by_name_;
  std::filesystem::file_time_type directory_mtime_{};
  std::atomic<bool> reload_requested_{true};
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> accepted_{0}, refused_{0}, reloads_{0}, key_count_{0}, checks_{0};
  std::thread thread_;
};

}  // namespace cw::transport
