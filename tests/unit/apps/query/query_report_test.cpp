// tests/unit/apps/query_report_test.cpp — what `chronowatch query` concludes from its servers:
// exit statuses (and their precedence), falsetickers, the JSON shape, and --adjust carried out
// through a recording fake adjuster (the real clock is never touched by tests).
#include "apps/query/query_report.h"

#include <gtest/gtest.h>

#include <vector>

namespace cw::apps {
namespace {

using namespace std::chrono_literals;

constexpr Timestamp kNow = from_unix_ns(1'700'000'000'000'000'000);

ServerResult answered(Duration offset, std::uint16_t port) {
  ServerResult r;
  r.name = "127.0.0.1:" + std::to_string(port);
  r.address = platform::SocketAddress{*IpAddress::parse("127.0.0.1"), port};
  ntp::Sample sample;
  sample.server.mode = ntp::Mode::server;
  sample.server.stratum = ntp::Stratum{2};
  sample.measurement = ntp::Measurement{offset, 100us, 10us, kNow};
  sample.root = ntp::RootInfo{1ms, 1ms};
  ntp::ClockFilter filter(1us);
  r.filter = filter.add(sample.measurement);
  r.samples.push_back(sample);
  r.status = ServerStatus::ok;
  return r;
}

ServerResult failed(ServerStatus status, std::string error) {
  ServerResult r;
  r.name = "127.0.0.1:9";
  r.address = platform::SocketAddress{*IpAddress::parse("127.0.0.1"), 9};
  r.status = status;
  r.error = std::move(error);
  return r;
}

class RecordingAdjuster final : public ClockAdjuster {
 public:
  std::vector<std::pair<char, Duration>> calls;
  void step(Duration offset) override { calls.emplace_back('s', offset); }
  void slew(Duration offset) override { calls.emplace_back('l', offset); }
};

TEST(QueryReport, OneAnswerIsUsable) {
  const auto report = conclude({answered(2500ms, 1)}, kNow);
  EXPECT_EQ(report.exit_status, kExitOk);
  ASSERT_TRUE(report.selection.offset);
  EXPECT_EQ(*report.selection.offset, 2500ms);
  EXPECT_TRUE(report.problems.empty());
}

TEST(QueryReport, AUsableAnswerWinsOverFailuresButTheyAreReported) {
  const auto report =
      conclude({answered(1ms, 1), failed(ServerStatus::no_answer, "silence")}, kNow);
  EXPECT_EQ(report.exit_status, kExitOk);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0], "127.0.0.1:9: silence");
}

TEST(QueryReport, EachFailureHasItsOwnStatus) {
  EXPECT_EQ(conclude({failed(ServerStatus::no_answer, "x")}, kNow).exit_status, kExitNoAnswer);
  EXPECT_EQ(conclude({failed(ServerStatus::kiss_of_death, "x")}, kNow).exit_status,
            kExitKissOfDeath);
  EXPECT_EQ(conclude({failed(ServerStatus::auth_failed, "x")}, kNow).exit_status, kExitAuthFailed);
  EXPECT_EQ(conclude({failed(ServerStatus::unsynchronized, "x")}, kNow).exit_status,
            kExitUnsynchronized);
  EXPECT_EQ(conclude({}, kNow).exit_status, kExitNoAnswer);
}

TEST(QueryReport, AuthenticationFailureOutranksTheOthers) {
  const auto report =
      conclude({failed(ServerStatus::no_answer, "a"), failed(ServerStatus::auth_failed, "b"),
                failed(ServerStatus::kiss_of_death, "c")},
               kNow);
  EXPECT_EQ(report.exit_status, kExitAuthFailed);
  EXPECT_EQ(report.problems.size(), 3u);
}

TEST(QueryReport, FalsetickerAmongThree) {
  const auto report = conclude({answered(0ms, 1), answered(1ms, 2), answered(5s, 3)}, kNow);
  EXPECT_EQ(report.exit_status, kExitOk);
  EXPECT_EQ(report.verdicts[2], ntp::Verdict::falseticker);
  const auto json = render_json(report);
  EXPECT_TRUE(json["servers"][2]["falseticker"].get<bool>());
  EXPECT_FALSE(json["servers"][0]["falseticker"].get<bool>());
  EXPECT_LT(std::abs(json["offset"].get<double>()), 0.001);
}

TEST(QueryReport, TwoThatDisagreeHaveNoMajority) {
  const auto report = conclude({answered(0ms, 1), answered(5s, 2)}, kNow);
  EXPECT_EQ(report.exit_status, kExitNoMajority);
  EXPECT_TRUE(render_json(report)["offset"].is_null());
  ASSERT_EQ(report.problems.size(), 1u);
}

TEST(QueryReport, JsonHasTheDocumentedFields) {
  const auto json =
      render_json(conclude({answered(3ms, 1), failed(ServerStatus::no_answer, "gone")}, kNow));
  const auto& ok = json["servers"][0];
  for (const char* key :
       {"address", "port", "offset", "delay", "jitter", "stratum", "refid", "leap", "root_delay",
        "root_dispersion", "authenticated", "falseticker", "error"})
    EXPECT_TRUE(ok.contains(key)) << key;
  EXPECT_DOUBLE_EQ(ok["offset"].get<double>(), 0.003);
  EXPECT_TRUE(ok["error"].is_null());
  const auto& bad = json["servers"][1];
  EXPECT_EQ(bad["error"], "gone");
  EXPECT_TRUE(bad["offset"].is_null());
  EXPECT_EQ(bad["status"], "no_answer");
}

TEST(QueryReport, AdjustSlewsBelowTheThresholdThroughTheAdjuster) {
  auto report = conclude({answered(2500ms, 1)}, kNow);
  RecordingAdjuster adjuster;
  adjust_clock(report, 25s, &adjuster);
  ASSERT_EQ(adjuster.calls.size(), 1u);
  EXPECT_EQ(adjuster.calls[0], std::make_pair('l', Duration{2500ms}));
  EXPECT_TRUE(report.correction_applied);
  EXPECT_NE(render_table(report).find("did: slew the clock by +2.500000000 s"), std::string::npos);
}

TEST(QueryReport, AdjustStepsAboveTheThreshold) {
  auto report = conclude({answered(-30s, 1)}, kNow);
  RecordingAdjuster adjuster;
  adjust_clock(report, 25s, &adjuster);
  ASSERT_EQ(adjuster.calls.size(), 1u);
  EXPECT_EQ(adjuster.calls[0], std::make_pair('s', Duration{-30s}));
}

TEST(QueryReport, DryRunDecidesButTouchesNothing) {
  auto report = conclude({answered(30s, 1)}, kNow);
  adjust_clock(report, 25s, nullptr);
  ASSERT_TRUE(report.correction);
  EXPECT_FALSE(report.correction_applied);
  EXPECT_NE(render_table(report).find("would step the clock by +30.000000000 s"),
            std::string::npos);
  EXPECT_EQ(render_json(report)["adjustment"]["applied"], false);
}

TEST(QueryReport, NoOffsetNoAdjustment) {
  auto report = conclude({failed(ServerStatus::no_answer, "x")}, kNow);
  RecordingAdjuster adjuster;
  adjust_clock(report, 25s, &adjuster);
  EXPECT_TRUE(adjuster.calls.empty());
  EXPECT_FALSE(report.correction);
}

}  // namespace
}  // namespace cw::apps
