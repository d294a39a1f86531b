// web/query.h and web/cursor.h: targets, parameters and cursors, with literal texts.
#include "web/query.h"

#include <gtest/gtest.h>

#include "web/cursor.h"
#include "web/http_server.h"

namespace cw::web {
namespace {

Target target(std::string_view text) { return parse_target(text).value(); }

TEST(Query, TargetSplitsAndDecodesPathAndParameters) {
  auto t = target("/api/v1/agents/agent%2F01?a=1&b=x+y%21&&c&a=2");
  EXPECT_EQ(t.path, "/api/v1/agents/agent/01");
  ASSERT_EQ(t.segments.size(), 4u);
  EXPECT_EQ(t.segments[3], "agent/01");  // an encoded slash stays in its segment
  EXPECT_EQ(*t.param("a"), "2");         // the last one wins
  EXPECT_EQ(*t.param("b"), "x y!");
  EXPECT_EQ(*t.param("c"), "");
  EXPECT_EQ(t.param("d"), nullptr);
}

TEST(Query, BadEncodingIsRefused) {
  EXPECT_FALSE(parse_target("/a%2"));
  EXPECT_FALSE(parse_target("/a%zz"));
  EXPECT_FALSE(parse_target("/a?x=%00"));
  EXPECT_FALSE(parse_target("http://host/"));
  EXPECT_FALSE(parse_target(""));
}

TEST(Query, EventsDefaultsAndFilters) {
  auto q = parse_events_query(target("/api/v1/events")).value();
  EXPECT_EQ(q.page.filter.limit, kDefaultLimit);
  EXPECT_TRUE(q.page.descending);
  q = parse_events_query(target("/e?since=2025-11-29T17:05:01Z&until=1764435902.5&agent=a&"
                                "type=port_scan&severity=high&limit=5000&order=asc"))
          .value();
  EXPECT_EQ(unix_ns(*q.page.filter.since), 1764435901'000'000'000);
  EXPECT_EQ(unix_ns(*q.page.filter.until), 1764435902'500'000'000);
  EXPECT_EQ(*q.page.filter.agent_id, "a");
  EXPECT_EQ(*q.page.filter.type, events::EventType::port_scan);
  EXPECT_EQ(*q.page.filter.min_severity, events::Severity::high);
  EXPECT_EQ(q.page.filter.limit, kMaxLimit);  // capped
  EXPECT_FALSE(q.page.descending);
}

TEST(Query, EachBadParameterIsNamed) {
  for (auto [text, parameter] :
       std::initializer_list<std::pair<const char*, const char*>>{{"/e?since=never", "since"},
                                                                  {"/e?limit=-1", "limit"},
                                                                  {"/e?order=up", "order"},
                                                                  {"/e?type=x", "type"},
                                                                  {"/e?severity=x", "severity"},
                                                                  {"/e?cursor=s.1", "cursor"},
                                                                  {"/e?since=20&until=10", "until"},
                                                                  {"/e?since=1726-12-29", "since"},
                                                                  {"/e?until=-1.5", "until"},
                                                                  {"/e?bogus=1", "bogus"}}) {
    auto q = parse_events_query(target(text));
    ASSERT_FALSE(q) << text;
    EXPECT_EQ(q.error().parameter, parameter) << text;
  }
}

TEST(Query, SeriesStepDefaultsAndBounds) {
  const auto now = from_unix_ns(10'000'000'000'000);
  auto s = parse_series_query(target("/s?agent=a"), now).value();
  EXPECT_EQ(s.until, now);
  EXPECT_EQ(s.until - s.since, std::chrono::hours(1));
  EXPECT_EQ(s.step, std::chrono::seconds(12));  // an hour in 300 points
  EXPECT_EQ(parse_series_query(target("/s"), now).error().parameter, "agent");
  EXPECT_EQ(
      parse_series_query(target("/s?agent=a&since=0&until=20000&step=1"), now).error().parameter,
      "step");
}

TEST(Cursor, PageAndStreamCursorsRoundTripAndRefuseForgeries) {
  store::ReplayPosition key{from_unix_ns(1764435901442511999), "sim-0001", 41};
  const auto text = encode_page_cursor(key);
  EXPECT_EQ(text, "p.1764435901442511999.41.73696d2d30303031");
  auto back = decode_page_cursor(text).value();
  EXPECT_EQ(back.agent_id, "sim-0001");
  EXPECT_EQ(back.sequence, 41u);
  EXPECT_EQ(back.timestamp, key.timestamp);
  EXPECT_FALSE(decode_page_cursor("p.1.2.3"));    // odd hex
  EXPECT_FALSE(decode_page_cursor("p.1.2.zz"));   // not hex
  EXPECT_FALSE(decode_page_cursor("p.x.2.00"));   // not a number
  EXPECT_FALSE(decode_page_cursor("p.01.2.00"));  // not canonical
  EXPECT_EQ(decode_stream_cursor(encode_stream_cursor(1234)), 1234);
  EXPECT_FALSE(decode_stream_cursor("s.-1"));
  EXPECT_FALSE(decode_stream_cursor("s."));
  EXPECT_FALSE(decode_stream_cursor("p.1"));
}

TEST(Listen, AddressesWithPorts) {
  EXPECT_EQ(parse_listen_address("127.0.0.1:8080")->second, 8080);
  EXPECT_EQ(parse_listen_address("[::1]:80")->first, "::1");
  EXPECT_FALSE(parse_listen_address("127.0.0.1"));
  EXPECT_FALSE(parse_listen_address("127.0.0.1:99999"));
  EXPECT_FALSE(parse_listen_address("localhost:80"));
  EXPECT_FALSE(parse_listen_address("::1:80"));
}

}  // namespace
}  // namespace cw::web
