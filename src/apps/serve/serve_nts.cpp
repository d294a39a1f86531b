// apps/serve/serve_nts.cpp — cookie master keys and the NTS-KE server of `serve` (see
// serve_nts.h).
#include "apps/serve/serve_nts.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/unique_fd.h"
#include "platform/directory_sync.h"

namespace cw::apps {
namespace {

std::vector<ntp::nts::MasterKey> load_keys(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  auto keys = ntp::nts::parse_key_file(text.str());
  if (!keys) throw std::runtime_error(fmt::format("--nts-key-file {}: {}", path, keys.error()));
  return *keys;
}

platform::SocketAddress ke_listen(const ServeOptions& o) {
  if (!o.nts_ke_listen.empty()) {
    auto where = platform::parse_listen_address(o.nts_ke_listen);
    if (!where)
      throw std::runtime_error("--nts-ke-listen '" + o.nts_ke_listen +
                               "' is not ADDR:PORT (e.g. 0.0.0.0:4460, 127.0.0.1:4460)");
    return *where;
  }
  // The first --listen address, on the NTS-KE port.
  auto where = platform::parse_listen_address(o.listen.empty() ? "*:4460" : o.listen.front());
  if (!where) where = platform::parse_listen_address("*:4460");
  where->port = ntp::nts::kDefaultKePort;
  return *where;
}

}  // namespace

std::unique_ptr<ServeNts> ServeNts::make(const ServeOptions& o, Random& random, Clock& clock) {
  if (o.nts_cert.empty() != o.nts_key.empty())
    throw std::runtime_error("--nts-cert and --nts-key go together (the certificate and its key)");
  if (o.nts_cert.empty()) {
    if (o.require_nts) throw std::runtime_error("--require-nts needs --nts-cert and --nts-key");
    return nullptr;
  }
  return std::unique_ptr<ServeNts>(new ServeNts(o, random, clock));
}

ServeNts::ServeNts(const ServeOptions& o, Random& random, Clock& clock)
    : options_(o), random_(random), clock_(clock) {
  std::vector<ntp::nts::MasterKey> keys;
  if (!o.nts_key_file.empty() && std::filesystem::exists(o.nts_key_file)) {
    keys = load_keys(o.nts_key_file);
    spdlog::info("serve: NTS: {} cookie key(s) from {}", keys.size(), o.nts_key_file);
  } else {
    keys.push_back(fresh_key());
  }
  cookies_ = std::make_shared<ntp::nts::ServerCookies>(std::move(keys));
  persist();
  next_rotation_ = clock_.monotonic_now() + from_seconds(o.nts_rotate);
}

ntp::nts::MasterKey ServeNts::fresh_key() {
  ntp::nts::MasterKey key;
  random_.fill(key.secret);
  key.id = static_cast<std::uint32_t>(random_.next_u64());
  return key;
}

// Written to FILE.tmp, created afresh with mode 0600 (the keys are secrets; O_EXCL after an unlink,
// so a stale FILE.tmp of another mode is never reused), synced, then renamed over FILE. Only
// system calls the serve seccomp filter allows: a rotation persists the keys after it is on
// (std::filesystem::permissions' fchmodat killed serve at its first rotation).
void ServeNts::persist() const {
  if (options_.nts_key_file.empty()) return;
  const std::filesystem::path path = options_.nts_key_file;
  const auto temporary = path.string() + ".tmp";
  const auto fail = [&](const char* what) {
    spdlog::error("serve: NTS: cannot {} {}: {}; cookies will not survive a restart", what,
                  temporary, std::strerror(errno));
  };
  ::unlink(temporary.c_str());
  UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return fail("create");
  const std::string text = ntp::nts::format_key_file(cookies_->keys());
  for (std::size_t done = 0; done < text.size();) {
    const auto n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("write");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail("sync");
  fd = UniqueFd();
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    spdlog::error("serve: NTS: cannot rename {} to {}: {}", temporary, path.string(),
                  std::strerror(errno));
    return;
  }
  platform::sync_directory(path.parent_path().empty() ? "." : path.parent_path());
}

void ServeNts::start(std::uint16_t ntp_port) {
  apps::nts::KeServerConfig config;
  config.listen = ke_listen(options_);
  config.cert_file = options_.nts_cert;
  config.key_file = options_.nts_key;
  config.ntp_port =
      options_.nts_ntp_port > 0 ? static_cast<std::uint16_t>(options_.nts_ntp_port) : ntp_port;
  config.max_sessions = static_cast<std::size_t>(options_.nts_ke_max_sessions);
  config.rate_limit.interval = from_seconds(options_.nts_ke_rate_interval);
  config.rate_limit.burst = static_cast<std::uint32_t>(options_.nts_ke_rate_burst);
  ke_ = std::make_unique<apps::nts::KeServer>(config, cookies_, random_.next_u64(), clock_);
  ke_->start();
  spdlog::info("serve: NTS-KE on {} (TLS 1.3, ntske/1), NTP port {}{}", ke_->local().to_string(),
               config.ntp_port, options_.require_nts ? "; NTS required" : "");
}

void ServeNts::stop() {
  if (ke_) ke_->stop();
}

void ServeNts::tick() {
  if (clock_.monotonic_now() < next_rotation_) return;
  next_rotation_ = clock_.monotonic_now() + from_seconds(options_.nts_rotate);
  cookies_->rotate(fresh_key());
  persist();
  spdlog::info("serve: NTS: cookie master key rotated (now {}); previous keys still accepted",
               cookies_->current_id());
}

std::string ServeNts::reload() {
  if (options_.nts_key_file.empty()) return "NTS: no --nts-key-file, cookie keys unchanged";
  auto keys = load_keys(options_.nts_key_file);  // never empty
  const auto count = keys.size();
  cookies_->replace(std::move(keys));
  return fmt::format("NTS: {} cookie key(s) from {} (current {})", count, options_.nts_key_file,
                     cookies_->current_id());
}

NtsKeCounts ServeNts::ke_counts() const {
  if (!ke_) return {};
  const auto& c = ke_->counters();
  NtsKeCounts k;
  k.accepted = c.accepted.load();
  k.completed = c.completed.load();
  k.cookies_issued = c.cookies_issued.load();
  k.at_capacity = c.at_capacity.load();
  k.refused = c.refused.load();
  k.tls_failed = c.tls_failed.load();
  k.timed_out = c.timed_out.load();
  k.too_large = c.too_large.load();
  k.rate_limited = c.rate_limited.load();
  return k;
}

}  // namespace cw::apps
