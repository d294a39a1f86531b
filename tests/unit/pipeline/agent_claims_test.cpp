// tests/unit/pipeline/agent_claims_test.cpp — which agent ids a key may claim (`agents:` lines
// of its .pub file, agent_claims.h), including malformed and oversized lines; and the replay's
// SparseOutbox (original sequences with gaps, refused when not increasing).
#include "pipeline/agent_claims.h"

#include <gtest/gtest.h>

#include <string>

#include "pipeline/sparse_outbox.h"

namespace cw::pipeline {
namespace {

TEST(AgentClaims, AKeyClaimsItsOwnNameOnly) {
  EXPECT_TRUE(may_claim("node-a", {}, "node-a"));
  EXPECT_FALSE(may_claim("node-a", {}, "node-b"));
  EXPECT_FALSE(may_claim("node-a", {}, "node-a2"));
  EXPECT_FALSE(may_claim("node-a", {}, ""));
  EXPECT_FALSE(may_claim("", {}, ""));  // no ZAP user id: nothing
  EXPECT_FALSE(may_claim("", {}, "node-a"));
}

TEST(AgentClaims, PatternsGrantExactIdsPrefixesOrAll) {
  const std::vector<std::string> lab{"gw-1", "lab-*"};
  EXPECT_TRUE(may_claim("relay", lab, "gw-1"));
  EXPECT_FALSE(may_claim("relay", lab, "gw-10"));
  EXPECT_TRUE(may_claim("relay", lab, "lab-"));
  EXPECT_TRUE(may_claim("relay", lab, "lab-17"));
  EXPECT_FALSE(may_claim("relay", lab, "la"));
  EXPECT_TRUE(may_claim("relay", lab, "relay"));
  const std::vector<std::string> all{"*"};
  EXPECT_TRUE(may_claim("replay", all, "anything"));
  EXPECT_FALSE(may_claim("replay", all, ""));
}

TEST(AgentClaims, ParsesAgentsLinesOfAKeyFile) {
  const auto parsed = parse_agent_claims(
      "# chronowatch CURVE public key (Z85) of relay\n"
      "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n"
      "agents: gw-1, lab-*\tedge-2\r\n"
      "  agents:*\n"
      "# agents: commented-out\n"
      "agentsx: no\n"
      "agents:\n");
  EXPECT_EQ(parsed.patterns, (std::vector<std::string>{"gw-1", "lab-*", "edge-2", "*"}));
  EXPECT_EQ(parsed.dropped, 0u);
  EXPECT_TRUE(parse_agent_claims("").patterns.empty());
  EXPECT_TRUE(parse_agent_claims("agents").patterns.empty());
  EXPECT_TRUE(parse_agent_claims(std::string("agents: \0\0", 11)).patterns.size() == 1);
}

TEST(AgentClaims, OversizedPatternsAndTooManyAreDroppedAndCounted) {
  const auto parsed =
      parse_agent_claims("agents: " + std::string(256, 'x') + " ok " + std::string(255, 'y'));
  EXPECT_EQ(parsed.patterns.size(), 2u);
  EXPECT_EQ(parsed.dropped, 1u);
  std::string many = "agents:";
  for (int i = 0; i < 1100; ++i) many += " a" + std::to_string(i);
  const auto limited = parse_agent_claims(many);
  EXPECT_EQ(limited.patterns.size(), 1024u);
  EXPECT_EQ(limited.dropped, 76u);
}

TEST(SparseOutbox, KeepsOriginalSequencesWithGaps) {
  SparseOutbox outbox;
  EXPECT_EQ(outbox.first_pending(), outbox.next_id());
  EXPECT_TRUE(outbox.append(100, {std::byte{1}}));
  EXPECT_TRUE(outbox.append(102, {std::byte{2}}));
  EXPECT_TRUE(outbox.append(110, {std::byte{3}}));
  EXPECT_EQ(outbox.first_pending(), 100u);
  EXPECT_EQ(outbox.next_id(), 111u);
  const auto from_101 = outbox.read_from(101, 10);
  ASSERT_EQ(from_101.size(), 2u);
  EXPECT_EQ(from_101[0].id, 102u);
  EXPECT_EQ(from_101[1].id, 110u);
  EXPECT_EQ(outbox.read_from(0, 1).front().id, 100u);
  outbox.acknowledge_below(103);
  EXPECT_EQ(outbox.first_pending(), 110u);
  EXPECT_EQ(outbox.pending(), 1u);
  outbox.acknowledge_below(1000);  // beyond everything: empty, next_id does not go back
  EXPECT_EQ(outbox.pending(), 0u);
  EXPECT_EQ(outbox.first_pending(), 111u);
  EXPECT_EQ(outbox.next_id(), 111u);
}

TEST(SparseOutbox, RefusesSequencesThatDoNotIncrease) {
  SparseOutbox outbox;
  EXPECT_FALSE(outbox.append(0, {}));
  EXPECT_TRUE(outbox.append(5, {}));
  EXPECT_FALSE(outbox.append(5, {}));
  EXPECT_FALSE(outbox.append(4, {}));
  EXPECT_TRUE(outbox.append(6, {}));
  EXPECT_EQ(outbox.pending(), 2u);
}

}  // namespace
}  // namespace cw::pipeline
