// Unit tests for events/binary_codec.h: round trips, the size targets of issue 5, the exact bytes
// of docs/wire-format.md's example, and rejection of malformed input with a reason.
#include "events/binary_codec.h"

#include <gtest/gtest.h>

#include "sample_events.h"

namespace cw::events {
namespace {

using namespace testing;
using Bytes = std::vector<std::byte>;

Bytes batch_of(const std::vector<Event>& events) {
  Bytes out;
  encode_batch(events, out);
  return out;
}

Bytes hex(std::string_view text) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < text.size();) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    out.push_back(static_cast<std::byte>(std::stoi(std::string{text.substr(i, 2)}, nullptr, 16)));
    i += 2;
  }
  return out;
}

TEST(BinaryCodec, HelloRoundTrips) {
  AgentIdentity identity{
      "network-001",
      {"scada-node-01", {*IpAddress::parse("192.168.1.50"), *IpAddress::parse("fe80::1")}},
      "0.1.0"};
  Bytes out;
  encode_hello(identity, out);
  EXPECT_EQ(peek_message_kind(out), MessageKind::hello);
  EXPECT_EQ(decode_hello(out), identity);
}

TEST(BinaryCodec, BatchRoundTripsEveryDataKind) {
  const auto events = mixed_events();
  const auto bytes = batch_of(events);
  EXPECT_EQ(peek_message_kind(bytes), MessageKind::batch);
  EXPECT_EQ(decode_batch(bytes, "agent-01"), events);
}

TEST(BinaryCodec, ExtremeValuesRoundTrip) {
  Event low{from_unix_ns(INT64_MIN), "a", UINT64_MAX, EventType::clock_step,
            Severity::info,          {},  {}};
  low.data = ClockData{.server = "",
                       .offset = Duration{INT64_MIN},
                       .delay = Duration{INT64_MAX},
                       .error_bound = {},
                       .threshold = {},
                       .step = Duration{-1},
                       .stratum = INT32_MIN,
                       .frequency_ppm = -1e300};
  Event high{from_unix_ns(INT64_MAX), "a", 0, EventType::events_suppressed,
             Severity::critical,      {},  {}};
  high.attributes = {{"", std::int64_t{INT64_MIN}}, {"", std::string(kMaxStringLength, 'x')}};
  const std::vector<Event> events{low, high};
  EXPECT_EQ(decode_batch(batch_of(events), "a"), events);
}

TEST(BinaryCodec, EmptyBatchRoundTrips) {
  EXPECT_EQ(decode_batch(batch_of({}), "a").value().size(), 0u);
}

TEST(BinaryCodec, EventsGetTheAgentIdOfTheConnection) {
  auto decoded = decode_batch(batch_of({drift_event(1, at(100))}), "from-hello").value();
  EXPECT_EQ(decoded.at(0).agent_id, "from-hello");
}

// Issue 5: a drift event ≤ 32 bytes and a heartbeat ≤ 48 bytes on the wire, measured as what one
// more event adds to a batch (its server string is a back-reference after the first event).
TEST(BinaryCodec, DriftEventAndHeartbeatMeetTheSizeTargets) {
  const auto one = batch_of({drift_event(1, at(1'764'435'000))});
  const auto two =
      batch_of({drift_event(1, at(1'764'435'000)), drift_event(2, at(1'764'435'064, 12'345))});
  EXPECT_LE(two.size() - one.size(), 32u);
  const auto beats =
      batch_of({heartbeat_event(1, at(1'764'435'000)), heartbeat_event(2, at(1'764'435'030))});
  const auto beat = batch_of({heartbeat_event(1, at(1'764'435'000))});
  EXPECT_LE(beats.size() - beat.size(), 48u);
}

// The example of docs/wire-format.md §6, byte for byte.
TEST(BinaryCodec, MatchesTheDocumentedExample) {
  Event e{from_unix_ns(1'764'435'901'000'000'000),
          "a",
          7,
          EventType::time_drift,
          Severity::high,
          {},
          {}};
  e.data = ClockData{.server = "ntp:123",
                     .offset = std::chrono::milliseconds{-150},
                     .delay = {},
                     .error_bound = {},
                     .threshold = std::chrono::milliseconds{100}};
  Event next = e;
  next.sequence = 8;
  next.timestamp += std::chrono::seconds{1};
  next.data = ClockData{.server = "ntp:123", .offset = std::chrono::milliseconds{-1}};
  EXPECT_EQ(batch_of({e, next}), hex("01 02 02 187c891a840d2200 07"
                                     " 01 0b 00 00 13 0e 6e74703a313233 ffc5868f01 8084af5f"
                                     " 01 0b 02 80a8d6b907 03 01 ff887a"));
  AgentIdentity identity{"a", {"h", {*IpAddress::parse("10.0.0.1")}}, "1"};
  Bytes hello;
  encode_hello(identity, hello);
  EXPECT_EQ(hello, hex("01 01 01 61 01 68 01 04 0a000001 01 31"));
}

TEST(BinaryCodec, EveryTruncationIsRejectedAsTruncated) {
  const auto bytes = batch_of(mixed_events());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto decoded = decode_batch(std::span{bytes}.first(n), "a");
    ASSERT_FALSE(decoded.has_value()) << n;
    EXPECT_EQ(decoded.error(), DecodeError::truncated) << n;
  }
}

TEST(BinaryCodec, RejectsWithAReason) {
  auto expect = [](std::string_view bytes, DecodeError error) {
    auto decoded = decode_batch(hex(bytes), "a");
    ASSERT_FALSE(decoded.has_value()) << bytes;
    EXPECT_EQ(decoded.error(), error) << bytes << ": " << to_string(decoded.error());
  };
  expect("02 02 00 0000000000000000 00", DecodeError::bad_version);
  expect("01 01 00 0000000000000000 00", DecodeError::bad_message_kind);
  expect("01 02 00 0000000000000000 00 00", DecodeError::trailing_bytes);
  expect("01 02 01 0000000000000000 00 0a 00 00 00", DecodeError::bad_event_type);
  expect("01 02 01 0000000000000000 00 01 05 00 00", DecodeError::bad_severity);
  expect("01 02 01 0000000000000000 00 01 40 00 00", DecodeError::bad_flags);
  expect("01 02 01 0000000000000000 00 01 08 00 00 8002", DecodeError::bad_field_mask);
  expect("01 02 01 0000000000000000 00 01 08 00 00 01 03", DecodeError::bad_string_ref);
  expect("01 02 01 0000000000000000 00 01 08 00 00 01 8240", DecodeError::too_long);
  expect("01 02 01 0000000000000000 00 14 10 00 00 01 05 00000000", DecodeError::bad_address);
  expect("01 02 01 0000000000000000 00 14 10 00 00 04 01 808004", DecodeError::bad_value);
  expect("01 02 01 0000000000000000 00 2d 20 00 00 01 00 07 00", DecodeError::bad_value);
  expect("01 02 01 0000000000000000 00 2d 20 00 00 41", DecodeError::too_many);
  // A hostile count: more events than the limit, or than the bytes could hold.
  expect("01 02 ffffffffffffffffff01 0000000000000000 00", DecodeError::too_many);
  expect("01 02 808004 0000000000000000 00 01 00 00 00", DecodeError::truncated);
}

TEST(BinaryCodec, HelloRejectsWithAReason) {
  EXPECT_EQ(decode_hello(hex("01 01 00 00 00 00")).error(), DecodeError::bad_agent_id);
  EXPECT_EQ(decode_hello(hex("01 01 01 61 00 41 00")).error(), DecodeError::too_many);
  EXPECT_EQ(decode_hello(hex("01 01 01 61 00 01 05 0a000001 00")).error(),
            DecodeError::bad_address);
  EXPECT_EQ(decode_hello(hex("01 01 01 61 00 00 00 00")).error(), DecodeError::trailing_bytes);
  EXPECT_EQ(decode_hello(hex("01 02 01 61 00 00 00")).error(), DecodeError::bad_message_kind);
  EXPECT_EQ(peek_message_kind(hex("01 03")).error(), DecodeError::bad_message_kind);
  EXPECT_EQ(peek_message_kind(hex("01")).error(), DecodeError::truncated);
}

TEST(BinaryCodec, DecodeIntoLeavesOutputAloneOnError) {
  std::vector<Event> out{drift_event(1, at(1))};
  auto bytes = batch_of(mixed_events());
  bytes.push_back(std::byte{0});
  EXPECT_FALSE(decode_batch_into(bytes, "a", out).has_value());
  EXPECT_EQ(out.size(), 1u);
  bytes.pop_back();
  EXPECT_EQ(decode_batch_into(bytes, "a", out), mixed_events().size());
  EXPECT_EQ(out.size(), 1 + mixed_events().size());
}

TEST(BinaryCodec, OverlongStringsAreClippedByTheEncoder) {
  Event e = drift_event(1, at(1));
  std::get<ClockData>(e.data).server = std::string(kMaxStringLength + 10, 's');
  auto decoded = decode_batch(batch_of({e}), "a").value();
  EXPECT_EQ(std::get<ClockData>(decoded.at(0).data).server.size(), kMaxStringLength);
}

}  // namespace
}  // namespace cw::events
