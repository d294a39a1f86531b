// tests/unit/events/drift_json_test.cpp — seed 000's MQTT payload: its field names and meanings.
#include "events/drift_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cw::events {
namespace {

using namespace std::chrono_literals;

Event drift() {
  Event e;
  e.timestamp = from_unix_ns(1'764'435'901'442'511'000);  // 2025-11-29T17:05:01.442511Z
  e.agent_id = "agent1";
  e.sequence = 42;
  e.type = EventType::time_drift;
  e.severity = Severity::high;
  ClockData data;
  data.server = "127.0.0.1:123";
  data.offset = -Duration{394'000'908'000};
  data.delay = 250us;
  data.error_bound = 5ms;
  data.threshold = 300s;
  data.stratum = 2;
  e.data = data;
  return e;
}

TEST(DriftJson, SeedFieldsFirstWithTheirMeanings) {
  const auto text = to_drift_json(drift());
  EXPECT_EQ(text.rfind(R"({"event":"time_drift","offset":-394.000908,"abs_offset":394.000908,)"
                       R"("threshold":300,)",
                       0),
            0u)
      << text;
  const auto json = nlohmann::json::parse(text);
  EXPECT_EQ(json["timestamp"], "2025-11-29T17:05:01.442511Z");
  EXPECT_EQ(json["agent_id"], "agent1");
  EXPECT_EQ(json["server"], "127.0.0.1:123");
  EXPECT_DOUBLE_EQ(json["delay"].get<double>(), 0.00025);
  EXPECT_DOUBLE_EQ(json["error_bound"].get<double>(), 0.005);
  EXPECT_EQ(json["stratum"], 2);
  EXPECT_EQ(json["severity"], "high");
  EXPECT_EQ(json["sequence"], 42);
}

TEST(DriftJson, StepFrequencyAndAttributes) {
  auto e = drift();
  e.type = EventType::clock_step;
  std::get<ClockData>(e.data).step = 1500ms;
  std::get<ClockData>(e.data).threshold = 1500ms;
  e.attributes.push_back({"repeat", std::int64_t{3}});
  e.attributes.push_back({"event", std::string{"not allowed to override"}});
  const auto json = nlohmann::json::parse(to_drift_json(e));
  EXPECT_EQ(json["event"], "clock_step");
  EXPECT_DOUBLE_EQ(json["step"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(json["threshold"].get<double>(), 1.5);
  EXPECT_EQ(json["repeat"], 3);
  EXPECT_FALSE(json.contains("frequency_ppm"));
}

TEST(DriftJson, NonClockEventsAndBadUtf8DoNotThrow) {
  Event e;
  e.type = EventType::heartbeat;
  e.agent_id = std::string("bad\xff", 4);
  const auto json = nlohmann::json::parse(to_drift_json(e));
  EXPECT_EQ(json["event"], "heartbeat");
  EXPECT_FALSE(json.contains("offset"));
}

}  // namespace
}  // namespace cw::events
