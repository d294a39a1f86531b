// detect/net/modbus/modbus.cpp — MBAP parsing and the Modbus/TCP anomaly rules of
// detect/net/modbus/modbus.h.
#include "detect/net/modbus/modbus.h"

#include <algorithm>

namespace cw::detect {
namespace {

std::uint16_t be16(std::span<const std::byte> b, std::size_t at) {
  return static_cast<std::uint16_t>(std::to_integer<unsigned>(b[at]) << 8 |
                                    std::to_integer<unsigned>(b[at + 1]));
}

events::Severity severity_of(ModbusKind kind) {
  switch (kind) {
    case ModbusKind::force_listen_only:
      return events::Severity::critical;
    case ModbusKind::restart_communications:
    case ModbusKind::write_unauthorized:
    case ModbusKind::function_sweep:
      return events::Severity::high;
    default:
      return events::Severity::medium;
  }
}

}  // namespace

MbapStatus parse_mbap(std::span<const std::byte> b, ModbusAdu& adu, std::size_t& consumed) {
  if (b.size() < 8) return MbapStatus::short_header;  // 7-byte MBAP + function code
  adu.transaction = be16(b, 0);
  adu.protocol = be16(b, 2);
  adu.length = be16(b, 4);
  adu.unit = std::to_integer<std::uint8_t>(b[6]);
  adu.function = std::to_integer<std::uint8_t>(b[7]);
  if (adu.protocol != 0) return MbapStatus::bad_protocol;                 // §3.1.3: 0 = MODBUS
  if (adu.length < 2 || adu.length > 254) return MbapStatus::bad_length;  // ADU ≤ 260 bytes
  if (std::size_t{6} + adu.length > b.size()) return MbapStatus::exceeds_segment;
  consumed = 6 + std::size_t{adu.length};
  adu.data = b.subspan(8, consumed - 8);
  return MbapStatus::ok;
}

std::string_view to_string(ModbusKind kind) {
  switch (kind) {
    case ModbusKind::malformed:
      return "malformed";
    case ModbusKind::unknown_function:
      return "unknown_function";
    case ModbusKind::force_listen_only:
      return "force_listen_only";
    case ModbusKind::restart_communications:
      return "restart_communications";
    case ModbusKind::write_unauthorized:
      return "write_unauthorized";
    case ModbusKind::function_sweep:
      return "function_sweep";
    case ModbusKind::response_without_request:
      return "response_without_request";
  }
  return "unknown";
}

bool is_public_function(std::uint8_t f) {
  switch (f) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
    case 8:
    case 11:
    case 12:
    case 15:
    case 16:
    case 17:
    case 20:
    case 21:
    case 22:
    case 23:
    case 24:
    case 43:
      return true;
    default:
      return false;
  }
}
bool is_user_function(std::uint8_t f) { return (f >= 65 && f <= 72) || (f >= 100 && f <= 110); }
bool is_write_function(std::uint8_t f) {
  return f == 5 || f == 6 || f == 15 || f == 16 || f == 22 || f == 23;
}

ModbusDetector::ModbusDetector(const NetmonConfig& config, EventSink& sink)
    : config_(config.modbus),
      ports_(config.modbus.ports),
      sink_(sink),
      pairs_(config.modbus.max_pairs),
      transactions_(config.modbus.max_transactions),
      streams_(config.modbus.max_pairs) {}

std::uint64_t ModbusDetector::total() const {
  std::uint64_t sum = 0;
  for (auto n : reported_) sum += n;
  return sum;
}

void ModbusDetector::counters(DetectorCounters& out) const {
  out.events.push_back({"modbus_anomaly", total()});
  out.extra.push_back({"modbus_resyncs", resyncs_});
  out.table_evictions += pairs_.evictions() + transactions_.evictions();
}

bool ModbusDetector::authorized(const IpAddress& master) const {
  return config_.authorized_masters.empty() ||
         std::any_of(config_.authorized_masters.begin(), config_.authorized_masters.end(),
                     [&](const IpPrefix& p) { return p.contains(master); });
}

// The segment's payload, after the bytes of an ADU the previous segment of this direction began
// (when this segment follows it in sequence; otherwise those bytes are dropped).
std::span<const std::byte> ModbusDetector::with_held(Stream& stream, const DecodedPacket& p) {
  if (stream.held_size == 0) return p.payload;
  const auto held = std::span{stream.held}.first(stream.held_size);
  stream.held_size = 0;
  if (p.tcp_seq != stream.next_seq) return p.payload;
  joined_.assign(held.begin(), held.end());
  joined_.insert(joined_.end(), p.payload.begin(), p.payload.end());
  return joined_;
}

// A segment that begins beyond the bytes seen so far in its direction follows a gap: bytes the
// capture did not get (a retransmission or an overlap, which begins before, is no gap).
void ModbusDetector::follow_sequence(Stream& stream, const DecodedPacket& p) {
  const auto end = p.tcp_seq + static_cast<std::uint32_t>(p.payload.size());
  if (stream.seq_known && static_cast<std::int32_t>(p.tcp_seq - stream.seen_end) > 0)
    stream.resync = kResyncSegments;
  if (!stream.seq_known || static_cast<std::int32_t>(end - stream.seen_end) > 0)
    stream.seen_end = end;
  stream.seq_known = true;
}

// After a gap: the data is read from the first segment that begins with a valid MBAP header (held
// bytes joined to this one, or this one alone); failing that, one that begins with a header cut
// short is held as usual; any other is skipped without a malformed report, for at most
// kResyncSegments segments (garbage that goes on after them is reported again).
std::span<const std::byte> ModbusDetector::resynchronise(Stream& stream,
                                                         std::span<const std::byte> joined,
                                                         std::span<const std::byte> payload) {
  --stream.resync;
  std::span<const std::byte> cut_short;
  for (const auto candidate : {joined, payload}) {
    ModbusAdu adu;
    std::size_t consumed = 0;
    const auto status = parse_mbap(candidate, adu, consumed);
    if (status == MbapStatus::ok) {
      stream.resync = 0;
      if (candidate.data() != joined.data()) ++resyncs_;  // the held bytes were dropped
      return candidate;
    }
    if ((status == MbapStatus::short_header || status == MbapStatus::exceeds_segment) &&
        candidate.size() < stream.held.size() && cut_short.empty())
      cut_short = candidate;  // held by on_segment; the next segment is checked again
  }
  if (cut_short.empty()) ++resyncs_;
  return cut_short;
}

void ModbusDetector::on_segment(const DecodedPacket& p, Timestamp now) {
  const bool request = ports_.contains(p.destination_port);
  const auto& client = request ? p.source : p.destination;
  const auto& server = request ? p.destination : p.source;
  const auto client_port = request ? p.source_port : p.destination_port;
  Stream& stream = streams_.get_or_insert({client, server, client_port, !request}).value;
  follow_sequence(stream, p);
  auto rest = with_held(stream, p);
  if (stream.resync > 0) rest = resynchronise(stream, rest, p.payload);
  for (int adus = 0; !rest.empty() && adus < 64; ++adus) {
    ModbusAdu adu;
    std::size_t consumed = 0;
    const auto status = parse_mbap(rest, adu, consumed);
    if ((status == MbapStatus::short_header || status == MbapStatus::exceeds_segment) &&
        rest.size() < stream.held.size()) {  // the ADU goes on in the next segment
      std::copy(rest.begin(), rest.end(), stream.held.begin());
      stream.held_size = static_cast<std::uint16_t>(rest.size());
      stream.next_seq = p.tcp_seq + static_cast<std::uint32_t>(p.payload.size());
      return;
    }
    if (status != MbapStatus::ok) {
      raise(ModbusKind::malformed, client, server, request ? p.destination_port : p.source_port,
            adu.function, now);
      return;
    }
    if (request) {
      stream.requests_seen = true;
      on_request(p, adu, now);
    } else {
      on_response(p, adu, now);
    }
    rest = rest.subspan(consumed);
  }
}

void ModbusDetector::on_request(const DecodedPacket& p, const ModbusAdu& adu, Timestamp now) {
  const auto f = adu.function;
  const auto port = p.destination_port;
  if (!is_public_function(f) && !is_user_function(f))
    raise(ModbusKind::unknown_function, p.source, p.destination, port, f, now);
  if (f == 8 && adu.data.size() >= 2) {  // Diagnostics: sub-function in the first two bytes
    const auto sub = be16(adu.data, 0);
    if (sub == 4) raise(ModbusKind::force_listen_only, p.source, p.destination, port, f, now);
    if (sub == 1) raise(ModbusKind::restart_communications, p.source, p.destination, port, f, now);
  }
  if (is_write_function(f) && !authorized(p.source))
    raise(ModbusKind::write_unauthorized, p.source, p.destination, port, f, now);
  auto found =
      transactions_.get_or_insert({p.source, p.destination, p.source_port, adu.transaction});
  found.value = Transaction{now, f};
}

void ModbusDetector::on_response(const DecodedPacket& p, const ModbusAdu& adu, Timestamp now) {
  const AddressPair key{p.destination, p.source};
  auto& pair = pairs_.get_or_insert(key).value;
  const TransactionKey tkey{p.destination, p.source, p.destination_port, adu.transaction};
  if (transactions_.find(tkey) == nullptr) {
    // A connection whose requests were never seen began before the capture (or the live start):
    // its first responses answer requests we could not see.
    const Stream* requests = streams_.find({p.destination, p.source, p.destination_port, false});
    if (requests == nullptr || !requests->requests_seen) return;
    if (pair.unmatched == 0 || now - pair.unmatched_start > config_.dedupe_window) {
      pair.unmatched = 0;
      pair.unmatched_start = now;
    }
    if (++pair.unmatched >= config_.unmatched_threshold)
      raise(ModbusKind::response_without_request, key.client, key.server, p.source_port,
            adu.function, now);
    return;
  }
  transactions_.erase(tkey);
  if ((adu.function & 0x80) == 0) return;
  // An exception response (§7): count the distinct function codes the server refused.
  if (now - pair.sweep_start > config_.sweep_window) {
    pair.sweep_start = now;
    pair.refused_functions = {};
  }
  const auto f = adu.function & 0x7fu;
  pair.refused_functions[f >> 6] |= std::uint64_t{1} << (f & 63u);
  const auto distinct = __builtin_popcountll(pair.refused_functions[0]) +
                        __builtin_popcountll(pair.refused_functions[1]);
  if (static_cast<std::uint32_t>(distinct) >= config_.sweep_threshold)
    raise(ModbusKind::function_sweep, key.client, key.server, p.source_port,
          static_cast<std::uint8_t>(f), now);
}

void ModbusDetector::raise(ModbusKind kind, const IpAddress& client, const IpAddress& server,
                           std::uint16_t port, std::uint8_t function, Timestamp now) {
  auto& pair = pairs_.get_or_insert(AddressPair{client, server}).value;
  const auto k = static_cast<std::size_t>(kind);
  if (pair.reported[k] && now - pair.last_report[k] < config_.dedupe_window) return;
  pair.reported[k] = true;
  pair.last_report[k] = now;
  const bool from_server = kind == ModbusKind::response_without_request;
  events::NetworkData data;
  data.source = from_server ? server : client;
  data.destination = from_server ? client : server;
  data.ports = {port};
  data.count = 1;
  data.kind = std::string(to_string(kind));
  auto event =
      network_event(events::EventType::modbus_anomaly, severity_of(kind), now, std::move(data));
  add_attribute(event, "function_code", std::int64_t{function});
  ++reported_[k];
  sink_(std::move(event));
}

void ModbusDetector::expire(Timestamp now) {
  while (transactions_.oldest_key() != nullptr) {
    if (transactions_.oldest_value()->sent + config_.request_timeout > now) break;
    transactions_.pop_oldest();
  }
}

}  // namespace cw::detect
