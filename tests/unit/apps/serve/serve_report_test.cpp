// tests/unit/apps/serve/serve_report_test.cpp — `serve --json` is made from the snapshot's one
// field description (as /metrics is) and keeps every field it had: the counters, the outcomes by
// name, the served state, the latencies and, with NTS, the NTS object.
#include "apps/serve/serve_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "apps/serve/serve_metrics.h"

namespace cw::apps {
namespace {

using namespace std::chrono_literals;

ServeReport report() {
  ServeReport r{{}, {ntp::unsynchronized_state(ntp::Precision{-25}), 123us}, "signal"};
  r.counters.received = 12;
  r.counters.answered_total = 11;
  r.counters.dropped_total = 1;
  r.counters.send_errors = 2;
  r.counters.truncated = 3;
  r.counters.outcomes[static_cast<std::size_t>(ntp::Outcome::answered)] = 11;
  r.served.state.root_delay = 2ms;
  return r;
}

TEST(ServeReport, JsonKeepsItsFieldsInTheSharedShape) {
  const auto j = nlohmann::json::parse(format_report_json(report()));
  EXPECT_EQ(j["event"], "signal");
  EXPECT_EQ(j["received"], 12);
  EXPECT_EQ(j["answered"], 11);
  EXPECT_EQ(j["dropped"], 1);
  EXPECT_EQ(j["send_errors"], 2);
  EXPECT_EQ(j["outcomes"]["truncated"], 3);
  EXPECT_EQ(j["outcomes"]["answered"], 11);
  EXPECT_EQ(j["outcomes"]["ignored_malformed"], 0);
  EXPECT_EQ(j["outcomes"].size(), ntp::kOutcomeCount + 1);
  EXPECT_EQ(j["serving"]["leap"], "unsynchronized");
  EXPECT_EQ(j["serving"]["stratum"], 16);
  EXPECT_EQ(j["serving"]["precision"], -25);
  EXPECT_DOUBLE_EQ(j["serving"]["root_delay"].get<double>(), 0.002);
  EXPECT_DOUBLE_EQ(j["serving"]["offset"].get<double>(), 0.000123);
  EXPECT_TRUE(j["serving"].contains("refid"));
  EXPECT_TRUE(j["serving"].contains("root_dispersion"));
  EXPECT_EQ(j["latency"]["t3_t2"]["count"], 0);
  EXPECT_TRUE(j["latency"].contains("processing"));
  EXPECT_FALSE(j.contains("nts"));
  EXPECT_EQ(j.size(), 8u);  // nothing else at the top
}

TEST(ServeReport, JsonAndMetricsComeFromOneDescription) {
  auto r = report();
  r.nts = NtsKeCounts{};
  r.nts->accepted = 4;
  const auto j = nlohmann::json::parse(format_report_json(r));
  EXPECT_EQ(j["nts"]["ke"]["accepted"], 4);
  const auto metrics = serve_metrics_text(r);
  for (const auto& f : serve_fields()) {
    if (f.field.metric.empty()) continue;
    EXPECT_NE(metrics.find("chronowatch_" + std::string(f.field.metric) + " "), std::string::npos)
        << f.field.metric;
  }
  EXPECT_NE(metrics.find("chronowatch_serve_truncated_packets_total 3\n"), std::string::npos);
}

}  // namespace
}  // namespace cw::apps
