// tests/unit/apps/collector/collector_loop_test.cpp — the collector's one event loop: its tick and
// whatever else is posted to it (the console's work) run on the thread that runs it; run() ends
// when the tick says so, and what was posted after that runs in finish().
#include "apps/collector/collector_loop.h"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <thread>

namespace cw::apps {
namespace {

using namespace std::chrono_literals;

TEST(CollectorLoop, TickAndPostedWorkShareTheCallingThreadUntilTheTickSaysStop) {
  CollectorLoop loop;
  const auto caller = std::this_thread::get_id();
  int ticks = 0, posted_ran = 0;
  bool posted_on_caller = false;
  std::thread poster([&] {  // another thread (the writer) hands work over
    boost::asio::post(loop.io(), [&] {
      ++posted_ran;
      posted_on_caller = std::this_thread::get_id() == caller;
    });
  });
  loop.run(
      [&] {
        EXPECT_EQ(std::this_thread::get_id(), caller);
        ++ticks;
        return posted_ran == 0 || ticks < 3;  // stops once the hand-over ran and 3 ticks passed
      },
      1ms);
  poster.join();
  EXPECT_EQ(posted_ran, 1);
  EXPECT_TRUE(posted_on_caller);
  EXPECT_GE(ticks, 3);
}

TEST(CollectorLoop, WorkPostedAfterRunEndsRunsInFinish) {
  CollectorLoop loop;
  loop.run([] { return false; }, 1ms);
  bool closed = false;
  boost::asio::post(loop.io(), [&] { closed = true; });  // the console's close frames
  EXPECT_FALSE(closed);
  loop.finish(50ms);
  EXPECT_TRUE(closed);
}

}  // namespace
}  // namespace cw::apps
