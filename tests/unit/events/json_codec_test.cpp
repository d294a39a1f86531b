// Unit tests for events/json_codec.h: field names and formats, round trips, malformed input.
#include "events/json_codec.h"

#include <gtest/gtest.h>

#include "sample_events.h"

namespace cw::events {
namespace {

using namespace testing;

TEST(JsonCodec, WritesTheDocumentedFields) {
  const auto j =
      nlohmann::json::parse(encode_json(drift_event(41, at(1'764'435'901, 442'511'999))));
  EXPECT_EQ(j["agent_id"], "agent-01");
  EXPECT_EQ(j["sequence"], 41);
  EXPECT_EQ(j["type"], "time_drift");
  EXPECT_EQ(j["severity"], "high");
  EXPECT_EQ(j["timestamp"], "2025-11-29T17:05:01.442511Z");
  EXPECT_EQ(j["timestamp_ns"], 1'764'435'901'442'511'999);
  EXPECT_EQ(j["data_type"], "clock");
  EXPECT_EQ(j["data"]["server"], "192.168.1.10:123");
  EXPECT_EQ(j["data"]["offset_ns"], 150'123'457);
  EXPECT_EQ(j["data"]["threshold_ns"], 100'000'000);
  EXPECT_FALSE(j.contains("attributes"));
}

TEST(JsonCodec, NetworkDataAndAttributesByName) {
  const auto j = nlohmann::json::parse(encode_json(scan_event(3, at(10))));
  EXPECT_EQ(j["data"]["source"], "10.0.1.100");
  EXPECT_EQ(j["data"]["destination"], "2001:db8::5");
  EXPECT_EQ(j["data"]["ports"], nlohmann::json({22, 23, 502, 3389}));
  EXPECT_EQ(j["attributes"]["interface"], "eth0");
  EXPECT_EQ(j["attributes"]["window_s"], -5);
}

TEST(JsonCodec, RoundTripsEveryDataKind) {
  for (const auto& event : mixed_events()) EXPECT_EQ(decode_json(encode_json(event)), event);
}

TEST(JsonCodec, AcceptsIsoTimestampWithoutNanoseconds) {
  auto event = decode_json(R"({"agent_id":"a","sequence":1,"type":"heartbeat","severity":"info",)"
                           R"("timestamp":"2025-11-29T17:05:01.5Z"})");
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->timestamp, at(1'764'435'901, 500'000'000));
  EXPECT_EQ(event->data.index(), 0u);
}

TEST(JsonCodec, InvalidUtf8IsReplacedNotThrown) {
  Event e = drift_event(1, at(1));
  std::get<ClockData>(e.data).server = "bad\xff";
  EXPECT_NE(encode_json(e).find("bad\xef\xbf\xbd"), std::string::npos);
}

TEST(JsonCodec, RejectsWithAReason) {
  const std::string base =
      R"("agent_id":"a","sequence":1,"type":"heartbeat","severity":"info","timestamp_ns":5)";
  auto expect = [&](const std::string& text, DecodeError error) {
    auto decoded = decode_json(text);
    ASSERT_FALSE(decoded.has_value()) << text;
    EXPECT_EQ(decoded.error(), error) << text << ": " << to_string(decoded.error());
  };
  expect("{", DecodeError::bad_syntax);
  expect("[1,2]", DecodeError::bad_message_kind);
  expect(R"({"sequence":1,"type":"heartbeat","severity":"info","timestamp_ns":5})",
         DecodeError::missing_field);
  expect(R"({"agent_id":"","sequence":1,"type":"heartbeat","severity":"info","timestamp_ns":5})",
         DecodeError::bad_agent_id);
  expect(R"({"agent_id":"a","sequence":-1,"type":"heartbeat","severity":"info","timestamp_ns":5})",
         DecodeError::bad_value);
  expect(R"({"agent_id":"a","sequence":"1","type":"heartbeat","severity":"info","timestamp_ns":5})",
         DecodeError::wrong_field_type);
  expect(R"({"agent_id":"a","sequence":1,"type":"nope","severity":"info","timestamp_ns":5})",
         DecodeError::bad_event_type);
  expect(R"({"agent_id":"a","sequence":1,"type":"heartbeat","severity":"severe","timestamp_ns":5})",
         DecodeError::bad_severity);
  expect(R"({"agent_id":"a","sequence":1,"type":"heartbeat","severity":"info",)"
         R"("timestamp":"yesterday"})",
         DecodeError::bad_value);
  expect("{" + base + R"(,"data_type":"clock"})", DecodeError::missing_field);
  expect("{" + base + R"(,"data_type":"weather","data":{}})", DecodeError::bad_flags);
  expect("{" + base + R"(,"data_type":"network","data":{"source":"999.1.1.1"}})",
         DecodeError::bad_address);
  expect("{" + base + R"(,"data_type":"network","data":{"ports":[70000]}})",
         DecodeError::bad_value);
  expect("{" + base + R"(,"data_type":"heartbeat","data":{"connected":1}})",
         DecodeError::wrong_field_type);
  expect("{" + base + R"(,"attributes":{"k":[1]}})", DecodeError::wrong_field_type);
  expect("{" + base + R"(,"attributes":[]})", DecodeError::wrong_field_type);
}

}  // namespace
}  // namespace cw::events
