// detect/net/ntp/ntp_detector.h — NTP attacks seen on the wire (issue 14), one `ntp_anomaly`
// event per (kind, source, destination) per dedupe window, on packet time, in bounded tables:
//   mode7_request      any mode 7 request; monlist (codes 20, 42; CVE-2013-5211) is high
//   mode7_responder    a host answering mode 7 at all (an amplifier)
//   control_query      a mode 6 (ntpq) query from a host not in admin_hosts
//   amplification      mode 6/7 responses at a host that did not ask, at a port < 1024 other
//                      than 123, or large ones from several reflectors at one victim (any
//                      sequence number: every packet of a multi-packet response counts)
//   rogue_server       mode 4 from a server not in allowed_servers (once per server per hour)
//   unsolicited_reply  mode 4 whose origin matches no request seen from that client, or zero
//   kod_storm          Kiss-o'-Death packets at one client beyond kod_threshold per window
//   kod_spoofed        a KoD that matches no request (Malhotra et al., NDSS 2016)
//   time_shift         a server's time jumping, or disagreeing with the other servers (a jump
//                      of one second around an announced leap second is not a shift)
//   nonstandard_packet a size or extension layout no NTP version, MAC or NTS explains
//   scanner_probe      nmap's fixed NTP probes
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "detect/detector.h"
#include "detect/net/net_support.h"
#include "detect/net/ntp/ntp_wire.h"
#include "detect/netmon_config.h"
#include "detect/port_set.h"

namespace cw::detect {

enum class NtpKind : std::uint8_t {
  mode7_request,
  mode7_responder,
  control_query,
  amplification,
  rogue_server,
  unsolicited_reply,
  kod_storm,
  kod_spoofed,
  time_shift,
  nonstandard_packet,
  scanner_probe,
};
inline constexpr std::size_t kNtpKinds = 11;
std::string_view to_string(NtpKind kind);

class NtpDetector final : public NetDetector {
 public:
  NtpDetector(const NetmonConfig& config, EventSink& sink);

  void on_packet(const DecodedPacket& p, Timestamp now) override {
    if (p.transport == Transport::udp &&
        (ports_.contains(p.destination_port) || ports_.contains(p.source_port)))
      on_datagram(p, now);
  }
  void expire(Timestamp) override {}  // tables are LRU-bounded; windows roll on arrival
  void flush(Timestamp) override {}   // every anomaly is reported when seen
  void counters(DetectorCounters& out) const override;

  void on_datagram(const DecodedPacket& p, Timestamp now);
  std::uint64_t count(NtpKind kind) const { return reported_[static_cast<std::size_t>(kind)]; }
  std::uint64_t total() const;

 private:
  struct Pair {  // what a client asked a server
    std::array<std::uint64_t, 4> transmit{};
    std::array<Timestamp, 4> sent{};
    std::uint8_t next = 0;
    bool asked_time = false;
    Timestamp control_request{};
    bool asked_control = false;
  };
  struct Server {
    Duration offset{};
    bool has_offset = false;
    Timestamp leap_announced{};  // the last reply with LI 1 or 2 (RFC 5905 §7.3)
  };
  struct Victim {
    Timestamp window_start{}, kod_start{};
    std::uint32_t large = 0, kods = 0;
    DistinctCounter reflectors;
  };
  struct ReportKey {
    IpAddress a, b;
    NtpKind kind{};
    bool operator==(const ReportKey&) const = default;
  };
  struct ReportHash {
    std::uint64_t operator()(const ReportKey& k) const {
      return hash_address(k.a, hash_address(k.b, static_cast<std::uint64_t>(k.kind)));
    }
  };
  struct Recent {  // the last servers whose time was read, for the disagreement check
    IpAddress server;
    Duration offset{};
    Timestamp at{};
  };
  struct Report {  // one event to raise
    NtpKind kind;
    const IpAddress& source;
    const IpAddress& destination;
    std::uint16_t port;
    std::uint32_t count;
    bool per_destination = false;  // one event per destination, whatever the sources
  };

  void on_time_request(const DecodedPacket& p, const NtpWire& w, Timestamp now);
  void on_time_reply(const DecodedPacket& p, const NtpWire& w, Timestamp now);
  void on_kod(const DecodedPacket& p, const NtpWire& w, bool matched, Timestamp now);
  void on_control_request(const DecodedPacket& p, const NtpWire& w, Timestamp now);
  void on_control_response(const DecodedPacket& p, const NtpWire& w, Timestamp now);
  void follow_time(const DecodedPacket& p, const NtpWire& w, const Timestamp* sent, Timestamp now);
  void check_disagreement(const DecodedPacket& p, const NtpWire& w, Duration offset, Timestamp now);
  Victim& victim(const IpAddress& host, Timestamp now);
  bool raise(const Report& r, const NtpWire& w, Timestamp now,
             std::initializer_list<events::Attribute> extra = {});

  NtpConfig config_;
  PortSet ports_;
  EventSink& sink_;
  LruTable<AddressPair, Pair, AddressPairHash> pairs_;
  LruTable<IpAddress, Server, AddressHash> servers_;
  LruTable<IpAddress, Victim, AddressHash> victims_;
  LruTable<ReportKey, Timestamp, ReportHash> reports_;
  std::array<Recent, 8> recent_{};
  std::size_t recent_next_ = 0;
  std::array<std::uint64_t, kNtpKinds> reported_{};
  std::array<Timestamp, kNtpKinds> budget_start_{};
  std::array<std::uint32_t, kNtpKinds> budget_used_{};
  std::uint64_t datagrams_ = 0, suppressed_ = 0;
  Timestamp started_{};
  bool seen_any_ = false;
};

}  // namespace cw::detect
