// detect/net/ntp/ntp_config.cpp — the YAML reader and checks of detect/net/ntp/ntp_config.h.
#include "detect/net/ntp/ntp_config.h"

namespace cw::detect {

void add_ntp_readers(NtpConfig& c, Readers& readers) {
  readers["ntp"] = [&c](const YAML::Node& node, const std::string& key) {
    read_map(node, key,
             {
                 {"enabled", boolean(c.enabled)},
                 {"ports", port_list(c.ports)},
                 {"allowed_servers", prefix_list(c.allowed_servers)},
                 {"admin_hosts", prefix_list(c.admin_hosts)},
                 {"request_timeout", duration(c.request_timeout)},
                 {"dedupe_window", duration(c.dedupe_window)},
                 {"rogue_window", duration(c.rogue_window)},
                 {"window", duration(c.window)},
                 {"kod_threshold", number(c.kod_threshold)},
                 {"amplification_reflectors", number(c.amplification_reflectors)},
                 {"large_response", number(c.large_response)},
                 {"shift_threshold", duration(c.shift_threshold)},
                 {"disagreement", duration(c.disagreement)},
                 {"leap_grace", duration(c.leap_grace)},
                 {"max_events_per_kind", number(c.max_events_per_kind)},
                 {"max_pairs", number(c.max_pairs)},
                 {"max_servers", number(c.max_servers)},
                 {"max_victims", number(c.max_victims)},
                 {"max_reports", number(c.max_reports)},
             });
  };
}

std::optional<std::string> validate(const NtpConfig& c) {
  if (c.kod_threshold == 0) return "ntp.kod_threshold: must be at least 1";
  if (c.amplification_reflectors == 0) return "ntp.amplification_reflectors: must be at least 1";
  for (auto size : {c.max_pairs, c.max_servers, c.max_victims, c.max_reports})
    if (size == 0 || size > (1u << 26))
      return "ntp table sizes (max_*): need 1 to 67108864 entries";
  return std::nullopt;
}

}  // namespace cw::detect
