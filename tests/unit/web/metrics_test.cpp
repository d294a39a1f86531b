// web/metrics.h, web/series.h, web/assets.h, web/auth.h: snapshot formats, offset steps, files,
// tokens — with literal values.
#include "web/metrics.h"

#include <gtest/gtest.h>

#include <array>

#include "web/assets.h"
#include "web/auth.h"
#include "web/series.h"

namespace cw::web {
namespace {

struct Snap {
  std::uint64_t packets;
  double seconds;
};

const std::array<SnapshotField<Snap>, 2> kFields{{
    {{"packets", "test_packets_total", "packets seen", MetricKind::counter},
     [](const Snap& s) { return static_cast<double>(s.packets); }},
    {{"uptime_s", "test_uptime_seconds", "seconds up", MetricKind::gauge, false},
     [](const Snap& s) { return s.seconds; }},
}};

TEST(Metrics, OneDescriptionGivesJsonLogAndPrometheus) {
  const Snap snap{42, 1.5};
  const auto values = values_of<Snap>(kFields, snap);
  EXPECT_EQ(snapshot_json(values).dump(), R"({"packets":42,"uptime_s":1.5})");
  const std::array<std::string_view, 2> keys{"uptime_s", "packets"};
  EXPECT_EQ(snapshot_log_line(values, keys), "uptime_s 1.500, packets 42");
  PrometheusText text;
  text.add(values);
  text.sample("test_agent_up", {{"agent", "a\"b\\c\nd"}}, 1);
  EXPECT_EQ(text.text(),
            "# HELP chronowatch_test_packets_total packets seen\n"
            "# TYPE chronowatch_test_packets_total counter\n"
            "chronowatch_test_packets_total 42\n"
            "# HELP chronowatch_test_uptime_seconds seconds up\n"
            "# TYPE chronowatch_test_uptime_seconds gauge\n"
            "chronowatch_test_uptime_seconds 1.5\n"
            "chronowatch_test_agent_up{agent=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(Metrics, DottedKeysNestInTheJson) {
  const std::array<SnapshotField<Snap>, 3> fields{{
      {{"packets", "", "packets seen"},
       [](const Snap& s) { return static_cast<double>(s.packets); }},
      {{"served.uptime_s", "", "seconds up", MetricKind::gauge, false},
       [](const Snap& s) { return s.seconds; }},
      {{"served.stratum", "", "stratum"}, [](const Snap&) { return 3.0; }},
  }};
  EXPECT_EQ(snapshot_json(values_of<Snap>(fields, {42, 1.5})).dump(),
            R"({"packets":42,"served":{"uptime_s":1.5,"stratum":3}})");
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  PrometheusText text;
  text.histogram("lat_seconds", "latency", {{0.01, 0.1}, {3, 2, 1}, 0.5});
  EXPECT_NE(text.text().find("chronowatch_lat_seconds_bucket{le=\"0.01\"} 3\n"), std::string::npos);
  EXPECT_NE(text.text().find("chronowatch_lat_seconds_bucket{le=\"0.1\"} 5\n"), std::string::npos);
  EXPECT_NE(text.text().find("chronowatch_lat_seconds_bucket{le=\"+Inf\"} 6\n"), std::string::npos);
  EXPECT_NE(text.text().find("chronowatch_lat_seconds_count 6\n"), std::string::npos);
}

events::Event drift(std::int64_t at_s, std::int64_t offset_ms) {
  events::Event e;
  e.timestamp = from_unix_ns(at_s * 1'000'000'000);
  e.type = events::EventType::time_drift;
  events::ClockData data;
  data.offset = std::chrono::milliseconds(offset_ms);
  e.data = data;
  return e;
}

TEST(Series, OffsetsFoldIntoSteps) {
  std::vector<events::Event> events{drift(100, 10), drift(105, 30), drift(125, -5)};
  events.push_back(events[0]);
  events.back().type = events::EventType::heartbeat;  // not a clock sample
  auto points = offset_series(events, from_unix_ns(100'000'000'000), std::chrono::seconds(10));
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].count, 2u);
  EXPECT_EQ(points[0].min, std::chrono::milliseconds(10));
  EXPECT_EQ(points[0].max, std::chrono::milliseconds(30));
  EXPECT_DOUBLE_EQ(points[0].mean_ns, 20e6);
  EXPECT_EQ(points[1].start, from_unix_ns(120'000'000'000));
}

TEST(Assets, ContentTypesAndIndex) {
  EXPECT_EQ(content_type_for("/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("/x/style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("/"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("/blob"), "application/octet-stream");
  ASSERT_NE(find_embedded("/"), nullptr);  // ui/static/index.html is always embedded
  EXPECT_EQ(find_embedded("/"), find_embedded("/index.html"));
  EXPECT_EQ(find_embedded("/../etc/passwd"), nullptr);
}

TEST(Auth, BearerOrCookieAndLogin) {
  TokenAuth auth{"0123456789abcdef0123"};
  HttpRequest r;
  EXPECT_FALSE(auth.allows(r));
  r.authorization = "Bearer 0123456789abcdef0123";
  EXPECT_TRUE(auth.allows(r));
  r.authorization = "Bearer 0123456789abcdef0124";
  EXPECT_FALSE(auth.allows(r));
  r.authorization.clear();
  r.cookie = "a=b; cw_token=0123456789abcdef0123";
  EXPECT_TRUE(auth.allows(r));
  r.body = R"({"token":"0123456789abcdef0123"})";
  auto login = auth.login(r);
  EXPECT_EQ(login.status, 204);
  ASSERT_EQ(login.headers.size(), 1u);
  EXPECT_EQ(login.headers[0].second,
            "cw_token=0123456789abcdef0123; Path=/; HttpOnly; SameSite=Strict");
  r.body = "{}";
  EXPECT_EQ(auth.login(r).status, 400);
}

}  // namespace
}  // namespace cw::web
