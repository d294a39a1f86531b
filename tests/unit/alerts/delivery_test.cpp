// Unit tests for alerts/delivery.h: the back-off between attempts and the claim lease's bounds.
#include "alerts/delivery.h"

#include <gtest/gtest.h>

namespace cw::alerts {
namespace {

using std::chrono::seconds;

TEST(Delivery, BackOffDoublesFromOneSecondUpToTheMost) {
  EXPECT_EQ(retry_delay(0, seconds(60)), seconds(1));
  EXPECT_EQ(retry_delay(1, seconds(60)), seconds(2));
  EXPECT_EQ(retry_delay(5, seconds(60)), seconds(32));
  EXPECT_EQ(retry_delay(6, seconds(60)), seconds(60));
  EXPECT_EQ(retry_delay(1000, seconds(60)), seconds(60));  // no overflow past 2^20 s
  EXPECT_EQ(retry_delay(-3, seconds(60)), seconds(1));
}

TEST(Delivery, ALeaseMustOutlastAnAttemptThatRunsToItsTimeout) {
  EXPECT_EQ(shortest_lease(seconds(10)), seconds(12));
  EXPECT_TRUE(check_lease(seconds(30), seconds(10)).empty());
  EXPECT_TRUE(check_lease(seconds(12), seconds(10)).empty());
  const auto wrong = check_lease(seconds(11), seconds(10));
  EXPECT_NE(wrong.find("--alert-claim-lease 11.0 s"), std::string::npos) << wrong;
  EXPECT_NE(wrong.find("at least 12.0 s"), std::string::npos) << wrong;
}

}  // namespace
}  // namespace cw::alerts
