// tests/unit/alerts/matcher_test.cpp — the matcher's text form and what it matches.
#include "alerts/matcher.h"

#include <gtest/gtest.h>

namespace cw::alerts {
namespace {

Labels scan_labels() {
  return {
      {"type", "port_scan"}, {"agent", "lab-07"}, {"source", "10.0.0.5"}, {"severity", "medium"}};
}

TEST(Matcher, EveryItemMustHoldAndAlternativesAreGlobs) {
  auto m = parse_matcher("type=port_scan|address_scan, agent=lab-*").value();
  EXPECT_TRUE(matches(m, scan_labels()));
  auto other = scan_labels();
  other["agent"] = "prod-01";
  EXPECT_FALSE(matches(m, other));
}

TEST(Matcher, NegationAndSeverityFloor) {
  EXPECT_FALSE(matches(parse_matcher("source!=10.0.0.*").value(), scan_labels()));
  EXPECT_TRUE(matches(parse_matcher("source!=192.168.*").value(), scan_labels()));
  EXPECT_TRUE(matches(parse_matcher("severity>=medium").value(), scan_labels()));
  EXPECT_FALSE(matches(parse_matcher("severity>=high").value(), scan_labels()));
  // A label the event does not have matches only an empty-matching negation.
  EXPECT_FALSE(matches(parse_matcher("server=*:123").value(), scan_labels()));
}

TEST(Matcher, EmptyMatchesEverythingAndBracesAndQuotesAreAccepted) {
  EXPECT_TRUE(matches(parse_matcher("").value(), scan_labels()));
  EXPECT_TRUE(
      matches(parse_matcher(R"({agent="lab-07", type='port_scan'})").value(), scan_labels()));
}

TEST(Matcher, ErrorsSayWhatIsWrong) {
  EXPECT_NE(parse_matcher("agnet=x").error().find("unknown label 'agnet'"), std::string::npos);
  EXPECT_NE(parse_matcher("type=port_scna").error().find("unknown event type"), std::string::npos);
  EXPECT_NE(parse_matcher("agent>=x").error().find("'>=' is for severity"), std::string::npos);
  EXPECT_NE(parse_matcher("agent").error().find("not label=value"), std::string::npos);
  EXPECT_NE(parse_matcher("agent=a||b").error().find("empty pattern"), std::string::npos);
}

TEST(Matcher, TextRoundTrips) {
  auto m = parse_matcher("type=port_scan|syn_flood, agent!=lab-?, severity>=high").value();
  EXPECT_EQ(parse_matcher(to_string(m)).value(), m);
  EXPECT_EQ(to_string(m), "type=port_scan|syn_flood, agent!=lab-?, severity>=high");
}

TEST(Glob, StarQuestionAndBacktracking) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(glob_match("a*b*c", "axxbyy"));
  EXPECT_TRUE(glob_match("lab-??", "lab-07"));
  EXPECT_FALSE(glob_match("lab-??", "lab-007"));
  EXPECT_TRUE(glob_match("*amplification*", "ntp_amplification"));
}

}  // namespace
}  // namespace cw::alerts
