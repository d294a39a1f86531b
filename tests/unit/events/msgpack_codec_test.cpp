// Unit tests for events/msgpack_codec.h: round trips, the map layout, malformed input.
#include "events/msgpack_codec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sample_events.h"

namespace cw::events {
namespace {

using namespace testing;
using Bytes = std::vector<std::byte>;

Bytes encode(const Event& e) {
  Bytes out;
  encode_msgpack(e, out);
  return out;
}

Bytes raw(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

TEST(MsgpackCodec, RoundTripsEveryDataKind) {
  for (const auto& event : mixed_events()) EXPECT_EQ(decode_msgpack(encode(event)), event);
}

TEST(MsgpackCodec, IsAMapWithTheJsonKeysButNoIsoString) {
  const auto bytes = encode(drift_event(41, at(1'764'435'901)));
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const auto j = nlohmann::json::from_msgpack(std::vector<std::uint8_t>(data, data + bytes.size()));
  EXPECT_EQ(j["agent_id"], "agent-01");
  EXPECT_EQ(j["type"], "time_drift");
  EXPECT_EQ(j["timestamp_ns"], 1'764'435'901'000'000'000);
  EXPECT_FALSE(j.contains("timestamp"));
  EXPECT_EQ(j["data"]["offset_ns"], 150'123'457);
}

TEST(MsgpackCodec, IsSmallerThanJson) {
  EXPECT_LT(encode(drift_event(41, at(1'764'435'901))).size(), 260u);
}

TEST(MsgpackCodec, RejectsWithAReason) {
  auto bytes = encode(heartbeat_event(1, at(5)));
  EXPECT_EQ(decode_msgpack(std::span{bytes}.first(bytes.size() - 1)).error(),
            DecodeError::truncated);
  bytes.push_back(std::byte{0xc0});
  EXPECT_EQ(decode_msgpack(bytes).error(), DecodeError::trailing_bytes);
  EXPECT_EQ(decode_msgpack(raw({0x93, 1, 2, 3})).error(),
            DecodeError::bad_message_kind);  // an array
  EXPECT_EQ(decode_msgpack(raw({0x81, 0xc4, 1, 0x41, 1})).error(),
            DecodeError::bad_syntax);  // bin: refused
  EXPECT_EQ(decode_msgpack(raw({0x81, 0x01, 0x01})).error(),
            DecodeError::wrong_field_type);  // integer key
  // A string claiming 4 GiB, and an array of a billion elements: refused, nothing allocated.
  EXPECT_FALSE(decode_msgpack(raw({0x81, 0xa1, 0x61, 0xdb, 0xff, 0xff, 0xff, 0xff})).has_value());
  EXPECT_FALSE(decode_msgpack(raw({0x81, 0xa1, 0x61, 0xdd, 0x40, 0, 0, 0})).has_value());
  EXPECT_FALSE(decode_msgpack(raw({0xc1})).has_value());  // never-used byte
  EXPECT_EQ(decode_msgpack(raw({})).error(), DecodeError::truncated);
}

}  // namespace
}  // namespace cw::events
