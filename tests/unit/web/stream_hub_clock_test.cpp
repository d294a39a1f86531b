// tests/unit/web/stream_hub_clock_test.cpp — the live stream's hello frame carries the server time
// of the injected clock (the dashboard compares the browser's clock with it and warns when they
// differ): on a fake clock in 2023, and again after the clock moves on.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/event_store.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"
#include "web/stream_hub.h"

namespace cw::web {
namespace {

using namespace std::chrono_literals;

class RecordingClient final : public StreamClient {
 public:
  bool send(std::shared_ptr<const std::string> frame) override {
    frames.push_back(*frame);
    return true;
  }
  std::size_t queued() const override { return 0; }
  void close(const std::string&) override {}
  std::vector<std::string> frames;
};

std::shared_ptr<RecordingClient> connect(StreamHub& hub) {
  std::function<void(std::shared_ptr<StreamClient>)> accept;
  HttpRequest request;
  request.method = "GET";
  request.target = "/api/v1/stream";
  EXPECT_FALSE(hub.upgrade(request, accept).has_value());
  auto client = std::make_shared<RecordingClient>();
  accept(client);
  return client;
}

TEST(StreamHubClock, TheHelloFrameTellsTheInjectedClocksTime) {
  testing::TempDir dir;
  auto store = store::open_store("sqlite:" + (dir / "events.db").string());
  AgentViews views;
  testing::FakeClock clock;  // 2023-11-14, far from the machine's clock
  StreamHub hub(*store, views, clock);
  const auto first = connect(hub);
  ASSERT_EQ(first->frames.size(), 1u);
  auto hello = nlohmann::json::parse(first->frames[0]);
  EXPECT_EQ(hello["type"], "hello");
  EXPECT_EQ(hello["server_time_unix_ns"].get<std::int64_t>(), unix_ns(clock.now()));
  EXPECT_EQ(hello["server_time"], to_iso8601(clock.now()));
  clock.advance(1h);
  const auto second = connect(hub);
  ASSERT_EQ(second->frames.size(), 1u);
  hello = nlohmann::json::parse(second->frames[0]);
  EXPECT_EQ(hello["server_time_unix_ns"].get<std::int64_t>(),
            1'700'000'000'000'000'000 + std::int64_t{3'600'000'000'000});
  EXPECT_EQ(hub.stats().accepted, 2u);
}

}  // namespace
}  // namespace cw::web
