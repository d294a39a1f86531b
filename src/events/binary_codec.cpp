// events/binary_codec.cpp — hello and batch messages of the binary wire format
// (docs/wire-format.md §1, §3): framing, per-event header, deltas from the batch's base.
#include "events/binary_codec.h"

#include <algorithm>
#include <stdexcept>

#include "events/binary_detail.h"

namespace cw::events {
namespace {

using wire::DataKind;
using wire::Decoder;
using wire::Encoder;

constexpr std::size_t kHostnameMax = 255;
constexpr std::size_t kVersionMax = 255;
constexpr std::size_t kEventHeaderBound = 2 + 10 + 10;
constexpr std::size_t kMinEventBytes = 4;  // type, flags, sequence delta, timestamp delta

// The flags byte: severity in bits 0-2, data kind in bits 3-4, attributes present in bit 5.
constexpr std::uint8_t kSeverityMask = 0x07;
constexpr std::uint8_t kAttributesFlag = 0x20;
constexpr std::uint8_t kReservedFlags = 0xc0;

// Appends to `out` through a ByteWriter sized by `bound`, then trims to what was written.
template <typename Write>
void append(std::vector<std::byte>& out, std::size_t bound, Write&& write) {
  const auto start = out.size();
  out.resize(start + bound);
  ByteWriter writer{std::span{out}.subspan(start)};
  write(writer);
  if (writer.overflowed()) throw std::logic_error("binary codec: size bound too small");
  out.resize(start + writer.size());
}

void encode_event(Encoder& e, const Event& event, std::uint64_t& previous_sequence,
                  std::int64_t base_ns) {
  auto& w = e.writer();
  const auto kind = wire::data_kind(event.data);
  w.u8(static_cast<std::uint8_t>(event.type));
  w.u8(static_cast<std::uint8_t>(static_cast<std::uint8_t>(event.severity) & kSeverityMask) |
       static_cast<std::uint8_t>(static_cast<std::uint8_t>(kind) << 3) |
       (event.attributes.empty() ? 0 : kAttributesFlag));
  // Differences wrap modulo 2^64 on both sides, so every value round-trips.
  w.svarint(static_cast<std::int64_t>(event.sequence - previous_sequence));
  w.svarint(static_cast<std::int64_t>(static_cast<std::uint64_t>(unix_ns(event.timestamp)) -
                                      static_cast<std::uint64_t>(base_ns)));
  previous_sequence = event.sequence;
  wire::encode_data(e, event.data);
  if (!event.attributes.empty()) wire::encode_attributes(e, event.attributes);
}

void decode_event(Decoder& d, Event& event, std::uint64_t& previous_sequence,
                  std::int64_t base_ns) {
  const auto type = event_type_from_wire(d.u8());
  if (!type && d.ok()) d.fail(DecodeError::bad_event_type);
  const auto flags = d.u8();
  const auto severity = severity_from_wire(flags & kSeverityMask);
  if (!severity && d.ok()) d.fail(DecodeError::bad_severity);
  if (flags & kReservedFlags) d.fail(DecodeError::bad_flags);
  event.sequence = previous_sequence + static_cast<std::uint64_t>(d.svarint());
  previous_sequence = event.sequence;
  event.timestamp = from_unix_ns(static_cast<std::int64_t>(
      static_cast<std::uint64_t>(base_ns) + static_cast<std::uint64_t>(d.svarint())));
  if (!d.ok()) return;
  event.type = *type;
  event.severity = *severity;
  event.data = wire::decode_data(d, static_cast<DataKind>((flags >> 3) & 0x03));
  if (flags & kAttributesFlag) event.attributes = wire::decode_attributes(d);
}

// Version and kind bytes; fails `d` unless they say `expected`.
void expect_header(Decoder& d, MessageKind expected) {
  const auto version = d.u8();
  if (d.ok() && version != kWireVersion) d.fail(DecodeError::bad_version);
  const auto kind = d.u8();
  if (d.ok() && kind != static_cast<std::uint8_t>(expected)) d.fail(DecodeError::bad_message_kind);
}

}  // namespace

Result<MessageKind, DecodeError> peek_message_kind(std::span<const std::byte> message) {
  if (message.size() < 2) return fail(DecodeError::truncated);
  if (static_cast<std::uint8_t>(message[0]) != kWireVersion) return fail(DecodeError::bad_version);
  const auto kind = static_cast<std::uint8_t>(message[1]);
  if (kind != 1 && kind != 2) return fail(DecodeError::bad_message_kind);
  return static_cast<MessageKind>(kind);
}

void encode_hello(const AgentIdentity& identity, std::vector<std::byte>& out) {
  const auto addresses = std::min(identity.node.addresses.size(), kMaxAddresses);
  const auto bound = 2 + 3 * (10 + 255) + 10 + 17 * addresses;
  append(out, bound, [&](ByteWriter& w) {
    Encoder e{w};
    w.u8(kWireVersion);
    w.u8(static_cast<std::uint8_t>(MessageKind::hello));
    e.plain_string(identity.agent_id, kMaxAgentIdLength);
    e.plain_string(identity.node.hostname, kHostnameMax);
    w.varint(addresses);
    for (std::size_t i = 0; i < addresses; ++i) e.address(identity.node.addresses[i]);
    e.plain_string(identity.version, kVersionMax);
  });
}

Result<AgentIdentity, DecodeError> decode_hello(std::span<const std::byte> message) {
  Decoder d{message};
  expect_header(d, MessageKind::hello);
  AgentIdentity identity;
  identity.agent_id = d.plain_string(kMaxAgentIdLength);
  if (d.ok() && identity.agent_id.empty()) d.fail(DecodeError::bad_agent_id);
  identity.node.hostname = d.plain_string(kHostnameMax);
  const auto count = d.count(kMaxAddresses, 5);
  identity.node.addresses.reserve(count);
  for (std::size_t i = 0; i < count && d.ok(); ++i) identity.node.addresses.push_back(d.address());
  identity.version = d.plain_string(kVersionMax);
  if (d.ok() && d.remaining() != 0) d.fail(DecodeError::trailing_bytes);
  if (!d.ok()) return fail(d.error());
  return identity;
}

void encode_batch(std::span<const Event> events, std::vector<std::byte>& out) {
  if (events.size() > kMaxBatchEvents)
    throw std::length_error("encode_batch: more than kMaxBatchEvents events");
  std::size_t bound = 2 + 10 + 8 + 10;
  for (const auto& event : events)
    bound += kEventHeaderBound + wire::data_bound(event.data) +
             (event.attributes.empty() ? 0 : wire::attributes_bound(event.attributes));
  append(out, bound, [&](ByteWriter& w) {
    Encoder e{w};
    const std::int64_t base_ns = events.empty() ? 0 : unix_ns(events.front().timestamp);
    std::uint64_t previous = events.empty() ? 0 : events.front().sequence;
    w.u8(kWireVersion);
    w.u8(static_cast<std::uint8_t>(MessageKind::batch));
    w.varint(events.size());
    w.u64(static_cast<std::uint64_t>(base_ns));
    w.varint(previous);
    for (const auto& event : events) encode_event(e, event, previous, base_ns);
  });
}

Result<std::size_t, DecodeError> decode_batch_into(std::span<const std::byte> message,
                                                   std::string_view agent_id,
                                                   std::vector<Event>& out) {
  Decoder d{message};
  expect_header(d, MessageKind::batch);
  const auto count = d.count(kMaxBatchEvents, kMinEventBytes);
  const auto base_ns = d.i64();
  auto previous = d.varint();
  if (!d.ok()) return fail(d.error());
  const auto start = out.size();
  out.reserve(start + count);
  for (std::size_t i = 0; i < count && d.ok(); ++i) {
    auto& event = out.emplace_back();
    event.agent_id = agent_id;
    decode_event(d, event, previous, base_ns);
  }
  if (d.ok() && d.remaining() != 0) d.fail(DecodeError::trailing_bytes);
  if (!d.ok()) {
    out.resize(start);
    return fail(d.error());
  }
  return count;
}

Result<std::vector<Event>, DecodeError> decode_batch(std::span<const std::byte> message,
                                                     std::string_view agent_id) {
  std::vector<Event> events;
  auto decoded = decode_batch_into(message, agent_id, events);
  if (!decoded) return fail(decoded.error());
  return events;
}

}  // namespace cw::events
