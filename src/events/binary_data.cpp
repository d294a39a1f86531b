// events/binary_data.cpp — the typed data and free attributes of an event in the binary wire
// format (docs/wire-format.md §4-§5): a presence mask, then only the fields that are not zero.
#include <algorithm>

#include "events/binary_detail.h"

namespace cw::events::wire {
namespace {

constexpr std::size_t kVarint = 10;  // the longest varint
constexpr std::size_t kAddress = 17;

std::size_t string_bound(std::string_view text) {
  return kVarint + std::min(text.size(), kMaxStringLength);
}

// Presence bits; a field whose bit is clear is zero / empty / absent.
enum ClockBit : std::uint64_t {
  kServer = 1,
  kOffset = 2,
  kDelay = 4,
  kErrorBound = 8,
  kThreshold = 16,
  kStep = 32,
  kStratum = 64,
  kFrequency = 128,
};
enum NetworkBit : std::uint64_t {
  kSource = 1,
  kDestination = 2,
  kPorts = 4,
  kCount = 8,
  kDuration = 16,
  kKind = 32,
};
enum HeartbeatBit : std::uint64_t {
  kUptime = 1,
  kSent = 2,
  kDropped = 4,
  kSpooled = 8,
  kCpu = 16,
  kRss = 32,
  kLoad = 64,
  kConnected = 128,
};

std::uint64_t bit(bool present, std::uint64_t value) { return present ? value : 0; }

void encode_clock(Encoder& e, const ClockData& d) {
  const std::uint64_t mask =
      bit(!d.server.empty(), kServer) | bit(d.offset.count() != 0, kOffset) |
      bit(d.delay.count() != 0, kDelay) | bit(d.error_bound.count() != 0, kErrorBound) |
      bit(d.threshold.count() != 0, kThreshold) | bit(d.step.count() != 0, kStep) |
      bit(d.stratum != 0, kStratum) | bit(d.frequency_ppm != 0, kFrequency);
  e.writer().varint(mask);
  if (mask & kServer) e.string(d.server);
  if (mask & kOffset) e.duration(d.offset);
  if (mask & kDelay) e.duration(d.delay);
  if (mask & kErrorBound) e.duration(d.error_bound);
  if (mask & kThreshold) e.duration(d.threshold);
  if (mask & kStep) e.duration(d.step);
  if (mask & kStratum) e.writer().svarint(d.stratum);
  if (mask & kFrequency) e.f64(d.frequency_ppm);
}

ClockData decode_clock(Decoder& d) {
  ClockData c;
  const auto mask = d.varint();
  if (mask > 0xff) d.fail(DecodeError::bad_field_mask);
  if (mask & kServer) c.server = d.string();
  if (mask & kOffset) c.offset = d.duration();
  if (mask & kDelay) c.delay = d.duration();
  if (mask & kErrorBound) c.error_bound = d.duration();
  if (mask & kThreshold) c.threshold = d.duration();
  if (mask & kStep) c.step = d.duration();
  if (mask & kStratum) {
    const auto stratum = d.svarint();
    if (stratum < INT32_MIN || stratum > INT32_MAX) d.fail(DecodeError::bad_value);
    c.stratum = static_cast<std::int32_t>(stratum);
  }
  if (mask & kFrequency) c.frequency_ppm = d.f64();
  return c;
}

void encode_network(Encoder& e, const NetworkData& d) {
  const auto ports = std::min(d.ports.size(), kMaxPorts);
  const std::uint64_t mask = bit(d.source != IpAddress{}, kSource) |
                             bit(d.destination.has_value(), kDestination) |
                             bit(ports != 0, kPorts) | bit(d.count != 0, kCount) |
                             bit(d.duration.count() != 0, kDuration) | bit(!d.kind.empty(), kKind);
  e.writer().varint(mask);
  if (mask & kSource) e.address(d.source);
  if (mask & kDestination) e.address(*d.destination);
  if (mask & kPorts) {
    e.writer().varint(ports);
    for (std::size_t i = 0; i < ports; ++i) e.writer().varint(d.ports[i]);
  }
  if (mask & kCount) e.writer().varint(d.count);
  if (mask & kDuration) e.duration(d.duration);
  if (mask & kKind) e.string(d.kind);
}

NetworkData decode_network(Decoder& d) {
  NetworkData n;
  const auto mask = d.varint();
  if (mask > 0x3f) d.fail(DecodeError::bad_field_mask);
  if (mask & kSource) n.source = d.address();
  if (mask & kDestination) n.destination = d.address();
  if (mask & kPorts) {
    const auto count = d.count(kMaxPorts, 1);
    n.ports.reserve(count);
    for (std::size_t i = 0; i < count && d.ok(); ++i) {
      const auto port = d.varint();
      if (port > 0xffff) d.fail(DecodeError::bad_value);
      n.ports.push_back(static_cast<std::uint16_t>(port));
    }
  }
  if (mask & kCount) {
    const auto count = d.varint();
    if (count > UINT32_MAX) d.fail(DecodeError::bad_value);
    n.count = static_cast<std::uint32_t>(count);
  }
  if (mask & kDuration) n.duration = d.duration();
  if (mask & kKind) n.kind = d.string();
  return n;
}

void encode_heartbeat(Encoder& e, const HeartbeatData& d) {
  const std::uint64_t mask = bit(d.uptime.count() != 0, kUptime) | bit(d.events_sent != 0, kSent) |
                             bit(d.events_dropped != 0, kDropped) |
                             bit(d.events_spooled != 0, kSpooled) | bit(d.cpu_percent != 0, kCpu) |
                             bit(d.rss_bytes != 0, kRss) | bit(d.load1 != 0, kLoad) |
                             bit(d.connected, kConnected);
  e.writer().varint(mask);
  if (mask & kUptime) e.duration(d.uptime);
  if (mask & kSent) e.writer().varint(d.events_sent);
  if (mask & kDropped) e.writer().varint(d.events_dropped);
  if (mask & kSpooled) e.writer().varint(d.events_spooled);
  if (mask & kCpu) e.f64(d.cpu_percent);
  if (mask & kRss) e.writer().varint(d.rss_bytes);
  if (mask & kLoad) e.f64(d.load1);
}

HeartbeatData decode_heartbeat(Decoder& d) {
  HeartbeatData h;
  const auto mask = d.varint();
  if (mask > 0xff) d.fail(DecodeError::bad_field_mask);
  if (mask & kUptime) h.uptime = d.duration();
  if (mask & kSent) h.events_sent = d.varint();
  if (mask & kDropped) h.events_dropped = d.varint();
  if (mask & kSpooled) h.events_spooled = d.varint();
  if (mask & kCpu) h.cpu_percent = d.f64();
  if (mask & kRss) h.rss_bytes = d.varint();
  if (mask & kLoad) h.load1 = d.f64();
  h.connected = (mask & kConnected) != 0;
  return h;
}

}  // namespace

DataKind data_kind(const EventData& data) { return static_cast<DataKind>(data.index()); }

void encode_data(Encoder& encoder, const EventData& data) {
  if (const auto* clock = std::get_if<ClockData>(&data)) encode_clock(encoder, *clock);
  if (const auto* network = std::get_if<NetworkData>(&data)) encode_network(encoder, *network);
  if (const auto* heartbeat = std::get_if<HeartbeatData>(&data))
    encode_heartbeat(encoder, *heartbeat);
}

EventData decode_data(Decoder& decoder, DataKind kind) {
  switch (kind) {
    case DataKind::clock:
      return decode_clock(decoder);
    case DataKind::network:
      return decode_network(decoder);
    case DataKind::heartbeat:
      return decode_heartbeat(decoder);
    case DataKind::none:
      break;
  }
  return std::monostate{};
}

// Attribute value tags.
enum : std::uint8_t { kInteger = 0, kReal = 1, kText = 2 };

void encode_attributes(Encoder& encoder, const std::vector<Attribute>& attributes) {
  const auto count = std::min(attributes.size(), kMaxAttributes);
  encoder.writer().varint(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto& [key, value] = attributes[i];
    encoder.string(key);
    encoder.writer().u8(static_cast<std::uint8_t>(value.index()));
    if (const auto* integer = std::get_if<std::int64_t>(&value)) encoder.writer().svarint(*integer);
    if (const auto* real = std::get_if<double>(&value)) encoder.f64(*real);
    if (const auto* text = std::get_if<std::string>(&value)) encoder.string(*text);
  }
}

std::vector<Attribute> decode_attributes(Decoder& decoder) {
  std::vector<Attribute> attributes;
  const auto count = decoder.count(kMaxAttributes, 3);
  attributes.reserve(count);
  for (std::size_t i = 0; i < count && decoder.ok(); ++i) {
    Attribute attribute{std::string{decoder.string()}, std::int64_t{0}};
    switch (decoder.u8()) {
      case kInteger:
        attribute.value = decoder.svarint();
        break;
      case kReal:
        attribute.value = decoder.f64();
        break;
      case kText:
        attribute.value = std::string{decoder.string()};
        break;
      default:
        decoder.fail(DecodeError::bad_value);
    }
    attributes.push_back(std::move(attribute));
  }
  return attributes;
}

std::size_t data_bound(const EventData& data) {
  if (const auto* clock = std::get_if<ClockData>(&data))
    return kVarint * 8 + string_bound(clock->server) + 8;
  if (const auto* network = std::get_if<NetworkData>(&data))
    return kVarint * 4 + 2 * kAddress + 3 * std::min(network->ports.size(), kMaxPorts) +
           string_bound(network->kind);
  if (std::holds_alternative<HeartbeatData>(data)) return kVarint * 6 + 16;
  return 0;
}

std::size_t attributes_bound(const std::vector<Attribute>& attributes) {
  std::size_t bound = kVarint;
  const auto count = std::min(attributes.size(), kMaxAttributes);
  for (std::size_t i = 0; i < count; ++i) {
    bound += string_bound(attributes[i].key) + 1 + kVarint;
    if (const auto* text = std::get_if<std::string>(&attributes[i].value))
      bound += string_bound(*text);
  }
  return bound;
}

}  // namespace cw::events::wire
