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

// While the outbox refuses, a try is due at most once a second, whatever comes meanwhile (each
// new notification used to trigger one); what comes waits behind what waited, oldest given up.
TEST(Delivery, RefusedNotificationsAreTriedOnceASecondAndKeptInOrderUpToTheCap) {
  const auto t = from_unix_ns(1'764'676'800'000'000'000);
  EXPECT_TRUE(refused_retry_due(false, t, t));
  EXPECT_FALSE(refused_retry_due(true, t, t + std::chrono::milliseconds(999)));
  EXPECT_TRUE(refused_retry_due(true, t, t + seconds(1)));

  std::vector<int> waiting{1, 2, 3};
  EXPECT_EQ(keep_in_order(waiting, {4, 5}, 10), 0u);
  EXPECT_EQ(waiting, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(keep_in_order(waiting, {6, 7, 8}, 6), 2u);
  EXPECT_EQ(waiting, (std::vector<int>{3, 4, 5, 6, 7, 8}));
}

}  // namespace
}  // namespace cw::alerts
