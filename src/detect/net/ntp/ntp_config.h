// detect/net/ntp/ntp_config.h — what the NTP-on-the-wire detector is told
// (`network_monitor.detection.ntp:`), with each default's source, and its YAML reader.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ip_address.h"
#include "core/time.h"
#include "detect/config_yaml.h"

namespace cw::detect {

using namespace std::chrono_literals;

struct NtpConfig {
  bool enabled = true;
  std::vector<std::uint16_t> ports{123};  // IANA: ntp 123/udp
  // Servers the network's clients may use; empty: rogue_server is not checked.
  std::vector<IpPrefix> allowed_servers;
  // Hosts that may send mode 6 (ntpq) queries; empty: every query is reported.
  std::vector<IpPrefix> admin_hosts;
  // A request or reply must be matched within this long (RFC 5905's longest poll is 36 h, but a
  // reply follows its request within a round trip: ntpd/chrony time out after 1–2 s).
  Duration request_timeout = 2s;
  Duration dedupe_window = 300s;    // one event per (kind, source, destination) per window
  Duration rogue_window = 3600s;    // rogue_server: once per server per hour (issue 14)
  Duration window = 10s;            // counting window of the rate rules below
  std::uint32_t kod_threshold = 5;  // KoDs at one client per window: a storm (RFC 5905 §7.4: a
                                    // client sees one RATE per poll at most)
  // amplification: large (≥ large_response bytes) mode 6/7 responses from this many distinct
  // reflectors at one victim within the window. 200 bytes: a monlist reply is 440 (ntpd's
  // MON_GETLIST_1 items of 72 bytes, 6 per packet), a normal ntpq readvar reply a few hundred.
  std::uint32_t amplification_reflectors = 3;
  std::size_t large_response = 200;
  // time_shift: a server's offset (read from its replies against the capture clock, RFC 5905 §8
  // on-wire formula when the request was seen) jumping by more than STEPT (RFC 5905 App. A.1.1:
  // 128 ms), or differing from the other servers' median by more than disagreement.
  Duration shift_threshold = 128ms;
  Duration disagreement = 1s;  // beyond the worst one-way delay asymmetry of Internet paths
  // A one-second jump this long after the server last announced a leap second is the leap (or
  // its late correction): RFC 5905 §7.3 announces it up to a day before, ntpd/chrony apply it
  // at the end of that day.
  Duration leap_grace = 86400s;
  // At most this many events of one kind per dedupe window; the rest are counted
  // (ntp_suppressed): a million spoofed sources must not become a million events.
  std::uint32_t max_events_per_kind = 100;
  std::size_t max_pairs = 65536;    // (client, server) exchanges followed
  std::size_t max_servers = 4096;   // servers whose time is followed
  std::size_t max_victims = 16384;  // hosts receiving responses
  std::size_t max_reports = 16384;  // de-duplication entries
};

void add_ntp_readers(NtpConfig& config, Readers& readers);
std::optional<std::string> validate(const NtpConfig& config);

}  // namespace cw::detect
