// detect/net/modbus/modbus.h — Modbus/TCP: the MBAP header codec (Modbus Messaging on TCP/IP
// Implementation Guide v1.0b §3.1.3) and a detector of anomalies seen on the wire: malformed MBAP
// (protocol id ≠ 0, length outside 2..254; an ADU split across segments is reassembled, bounded
// per connection), reserved or unknown function codes, disruptive diagnostics (FC 8 sub-function 4
// "force listen only", sub-function 1 "restart communications"; Modbus Application Protocol v1.1b3
// §6.8), function-code sweeps (exception responses for many distinct codes in a window), writes (FC
// 5, 6, 15, 16, 22, 23) from a master not in authorized_masters, and responses without a request.
// One event per (client, server, kind) per dedupe window. After a gap in a direction's TCP
// sequence (the capture dropped a segment), the next data may begin inside an ADU: as Zeek does
// at a content gap, the reader resynchronises instead of reporting malformed (see on_segment).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "detect/detector.h"
#include "detect/net/net_support.h"
#include "detect/netmon_config.h"
#include "detect/port_set.h"

namespace cw::detect {

struct ModbusAdu {
  std::uint16_t transaction = 0;
  std::uint16_t protocol = 0;
  std::uint16_t length = 0;  // bytes after the length field: unit id + PDU
  std::uint8_t unit = 0;
  std::uint8_t function = 0;
  std::span<const std::byte> data;  // the PDU after the function code
};

enum class MbapStatus : std::uint8_t {
  ok,
  short_header,
  bad_protocol,
  bad_length,
  exceeds_segment
};

// Reads one ADU from the front of `bytes`; on ok, `consumed` is its size.
MbapStatus parse_mbap(std::span<const std::byte> bytes, ModbusAdu& adu, std::size_t& consumed);

enum class ModbusKind : std::uint8_t {
  malformed,
  unknown_function,
  force_listen_only,
  restart_communications,
  write_unauthorized,
  function_sweep,
  response_without_request,
};
inline constexpr std::size_t kModbusKinds = 7;
std::string_view to_string(ModbusKind kind);

bool is_public_function(std::uint8_t function);  // defined by the application protocol spec
bool is_user_function(std::uint8_t function);    // 65–72, 100–110 (§5 "user defined")
bool is_write_function(std::uint8_t function);   // 5, 6, 15, 16, 22, 23

class ModbusDetector final : public NetDetector {
 public:
  ModbusDetector(const NetmonConfig& config, EventSink& sink);

  void on_packet(const DecodedPacket& p, Timestamp now) override {
    if (p.transport == Transport::tcp && !p.payload.empty() && on_port(p)) on_segment(p, now);
  }
  void expire(Timestamp now) override;
  void flush(Timestamp) override {}  // nothing is held back: anomalies are reported at once
  void counters(DetectorCounters& out) const override;

  bool on_port(const DecodedPacket& p) const {
    return ports_.contains(p.destination_port) || ports_.contains(p.source_port);
  }
  void on_segment(const DecodedPacket& p, Timestamp now);  // a TCP segment with payload

  std::uint64_t count(ModbusKind kind) const { return reported_[static_cast<std::size_t>(kind)]; }
  std::uint64_t total() const;
  // Segments (or held bytes) skipped after a sequence gap to find the next ADU's beginning.
  std::uint64_t resyncs() const { return resyncs_; }

  // Segments after a gap checked for an ADU boundary before malformed is reported again.
  static constexpr std::uint8_t kResyncSegments = 4;

 private:
  struct Pair {
    std::array<Timestamp, kModbusKinds> last_report{};
    std::array<bool, kModbusKinds> reported{};
    Timestamp sweep_start{}, unmatched_start{};
    std::array<std::uint64_t, 2> refused_functions{};
    std::uint32_t unmatched = 0;
  };
  struct TransactionKey {
    IpAddress client, server;
    std::uint16_t client_port = 0, transaction = 0;
    bool operator==(const TransactionKey&) const = default;
  };
  struct TransactionHash {
    std::uint64_t operator()(const TransactionKey& k) const {
      return hash_address(
          k.client, hash_address(k.server, std::uint64_t{k.client_port} << 16 | k.transaction));
    }
  };
  struct StreamKey {  // one direction of one TCP connection
    IpAddress client, server;
    std::uint16_t client_port = 0;
    bool from_server = false;
    bool operator==(const StreamKey&) const = default;
  };
  struct StreamHash {
    std::uint64_t operator()(const StreamKey& k) const {
      return hash_address(k.client, hash_address(k.server, std::uint64_t{k.client_port} << 1 |
                                                               (k.from_server ? 1u : 0u)));
    }
  };
  // An ADU split across segments waits here (at most one ADU, 260 bytes) for the next segment.
  struct Stream {
    std::array<std::byte, 260> held{};
    std::uint16_t held_size = 0;
    std::uint32_t next_seq = 0;  // where the segment after the held bytes begins
    std::uint32_t seen_end = 0;  // the sequence number after the furthest byte seen
    bool seq_known = false;
    bool requests_seen = false;  // the client's side: its requests were seen
    std::uint8_t resync = 0;     // segments left to find an ADU boundary in, after a gap
  };
  struct Transaction {
    Timestamp sent{};
    std::uint8_t function = 0;
  };

  std::span<const std::byte> with_held(Stream& stream, const DecodedPacket& p);
  static void follow_sequence(Stream& stream, const DecodedPacket& p);
  std::span<const std::byte> resynchronise(Stream& stream, std::span<const std::byte> joined,
                                           std::span<const std::byte> payload);
  void on_request(const DecodedPacket& p, const ModbusAdu& adu, Timestamp now);
  void on_response(const DecodedPacket& p, const ModbusAdu& adu, Timestamp now);
  void raise(ModbusKind kind, const IpAddress& source, const IpAddress& destination,
             std::uint16_t port, std::uint8_t function, Timestamp now);
  bool authorized(const IpAddress& master) const;

  ModbusConfig config_;
  PortSet ports_;
  EventSink& sink_;
  LruTable<AddressPair, Pair, AddressPairHash> pairs_;
  LruTable<TransactionKey, Transaction, TransactionHash> transactions_;
  LruTable<StreamKey, Stream, StreamHash> streams_;
  std::vector<std::byte> joined_;  // held bytes + the next segment (reused)
  std::array<std::uint64_t, kModbusKinds> reported_{};
  std::uint64_t resyncs_ = 0;
};

}  // namespace cw::detect
