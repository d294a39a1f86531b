// apps/up/up_setup.cpp — the data directory, the host's NTP servers, the default interface and
// the keys of `chronowatch up` (apps/up/up_setup.h).
#include "apps/up/up_setup.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "transport/zmq/curve_keys.h"

namespace cw::apps {
namespace {

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in{file};
  if (!in) return {};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void add_unique(std::vector<std::string>& out, const std::string& server) {
  if (!server.empty() && std::find(out.begin(), out.end(), server) == out.end())
    out.push_back(server);
}

std::vector<std::filesystem::path> config_files(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> out{root / "etc/chrony/chrony.conf",
                                         root / "etc/ntpsec/ntp.conf", root / "etc/ntp.conf",
                                         root / "etc/systemd/timesyncd.conf"};
  for (const char* dir :
       {"etc/chrony/conf.d", "etc/chrony/sources.d", "etc/systemd/timesyncd.conf.d"}) {
    std::error_code ec;
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(root / dir, ec))
      if (entry.is_regular_file()) found.push_back(entry.path());
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace

std::filesystem::path default_data_dir() {
  if (const char* dir = std::getenv("CW_DATA_DIR"); dir && *dir) return dir;
  if (::geteuid() == 0) return "/var/lib/chronowatch";
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
    return std::filesystem::path{xdg} / "chronowatch";
  const char* home = std::getenv("HOME");
  return std::filesystem::path{home && *home ? home : "."} / ".local/share/chronowatch";
}

std::vector<std::string> ntp_servers_in(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream lines{text};
  for (std::string line; std::getline(lines, line);) {
    line = line.substr(0, line.find('#'));
    std::istringstream words{line};
    std::string first, second;
    words >> first;
    if (first == "server" || first == "pool") {
      words >> second;
      add_unique(out, second);
    } else if (first.starts_with("NTP=") || first.starts_with("FallbackNTP=")) {
      if (first.starts_with("FallbackNTP=") && !out.empty()) continue;
      std::istringstream names{first.substr(first.find('=') + 1) + " " +
                               line.substr(line.find(first) + first.size())};
      for (std::string name; names >> name;) add_unique(out, name);
    }
  }
  return out;
}

std::vector<std::string> configured_ntp_servers(const std::filesystem::path& root) {
  std::vector<std::string> out;
  for (const auto& file : config_files(root))
    for (const auto& server : ntp_servers_in(read_text(file))) add_unique(out, server);
  if (out.empty()) out.push_back("pool.ntp.org");
  return out;
}

std::string default_interface() {
  std::istringstream lines{read_text("/proc/net/route")};
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream words{line};
    std::string name, destination;
    words >> name >> destination;
    if (destination == "00000000") return name;
  }
  return {};
}

bool has_cap_net_raw() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  return (data[CAP_NET_RAW / 32].effective & (1u << (CAP_NET_RAW % 32))) != 0;
}

std::string local_agent_id() {
  char name[256]{};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "local-agent";
  return name;
}

UpKeys prepare_keys(const std::filesystem::path& data_dir, const std::string& agent_id) {
  UpKeys keys{data_dir / "keys" / "collector.key", data_dir / "keys" / "collector.pub",
              data_dir / "keys" / (agent_id + ".key"), data_dir / "authorized"};
  if (!std::filesystem::exists(keys.collector_key))
    transport::write_key_pair(data_dir / "keys", "collector", transport::generate_key_pair());
  if (!std::filesystem::exists(keys.agent_key))
    transport::write_key_pair(data_dir / "keys", agent_id, transport::generate_key_pair());
  std::filesystem::create_directories(keys.authorized);
  const auto authorized = keys.authorized / (agent_id + ".pub");
  if (!std::filesystem::exists(authorized))
    std::filesystem::copy_file(data_dir / "keys" / (agent_id + ".pub"), authorized);
  return keys;
}

}  // namespace cw::apps
