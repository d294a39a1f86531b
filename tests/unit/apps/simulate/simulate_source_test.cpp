// Unit tests for apps/simulate's source addresses: each collector endpoint of the list is
// rewritten into libzmq's "tcp://SOURCE:0;HOST:PORT" form, and what is not TCP is refused.
#include <gtest/gtest.h>

#include <stdexcept>

#include "apps/simulate/simulate_agents.h"

namespace cw::apps {
namespace {

TEST(SimulateSource, EachCollectorOfTheListIsConnectedFromTheSource) {
  EXPECT_EQ(from_source("tcp://127.0.0.1:5555", "127.0.0.2"), "tcp://127.0.0.2:0;127.0.0.1:5555");
  EXPECT_EQ(from_source("tcp://127.0.0.1:5555,tcp://127.0.0.1:5556", "127.0.0.9"),
            "tcp://127.0.0.9:0;127.0.0.1:5555,tcp://127.0.0.9:0;127.0.0.1:5556");
}

TEST(SimulateSource, AnEndpointThatIsNotTcpIsRefused) {
  EXPECT_THROW(from_source("ipc:///tmp/collector", "127.0.0.2"), std::invalid_argument);
}

TEST(SimulateIoThreads, OnePerTwoThousandFiveHundredAgentsFromOneToSixteen) {
  EXPECT_EQ(io_threads_for(1), 1);
  EXPECT_EQ(io_threads_for(2500), 1);
  EXPECT_EQ(io_threads_for(2501), 2);
  EXPECT_EQ(io_threads_for(9000), 4);
  EXPECT_EQ(io_threads_for(1000000), 16);
}

}  // namespace
}  // namespace cw::apps
