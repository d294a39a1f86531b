// apps/up/up_setup.h — what `chronowatch up` finds and prepares before it starts anything: the
// data directory, the NTP servers this host is configured with, the default network interface,
// and the CURVE keys (made at first start; the local agent authorized).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace cw::apps {

// --data-dir, else $CW_DATA_DIR, else /var/lib/chronowatch as root, else
// $XDG_DATA_HOME/chronowatch (default ~/.local/share/chronowatch).
std::filesystem::path default_data_dir();

// The servers of chrony (/etc/chrony/chrony.conf, its conf.d/ and sources.d/), ntpd
// (/etc/ntpsec/ntp.conf, /etc/ntp.conf) or systemd-timesyncd (/etc/systemd/timesyncd.conf and
// timesyncd.conf.d/), under `root` (for tests); pool.ntp.org when none names one.
std::vector<std::string> configured_ntp_servers(const std::filesystem::path& root = "/");
// Reads `server X` / `pool X` lines, and timesyncd's NTP= / FallbackNTP= (pure text parsing).
std::vector<std::string> ntp_servers_in(const std::string& config_text);

// The interface of the default IPv4 route (/proc/net/route), or empty.
std::string default_interface();
bool has_cap_net_raw();

struct UpKeys {
  std::filesystem::path collector_key, collector_pub, agent_key, authorized;
};
// DATA/keys/{collector,AGENT}.{key,pub} and DATA/authorized/AGENT.pub, made when missing. The
// collector lets a key claim only its own name, so the agent's key is named after its id.
UpKeys prepare_keys(const std::filesystem::path& data_dir, const std::string& agent_id);
// This host's name, the local agent's id (the agent's own default).
std::string local_agent_id();

}  // namespace cw::apps
