// tests/unit/ntp/rate_limit_test.cpp — the server's per-client rate limiter and access list.
#include "ntp/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "ntp/access_list.h"

namespace cw::ntp {
namespace {

using namespace std::chrono_literals;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
Timestamp at(std::int64_t ms) { return from_unix_ns(1'700'000'000'000'000'000 + ms * 1'000'000); }

RateLimitConfig one_per_second_burst_4() {
  RateLimitConfig c;
  c.interval = 1s;
  c.burst = 4;
  c.kod_interval = 2s;
  c.table_entries = 64;
  return c;
}

TEST(RateLimiter, DisabledAllowsEverything) {
  RateLimiter limiter(RateLimitConfig{}, 1);
  for (int i = 0; i < 1000; ++i)
    EXPECT_EQ(limiter.check(ip("192.0.2.1"), at(0)), RateDecision::kAllow);
}

TEST(RateLimiter, BurstThenOneKissOfDeathThenDrops) {
  RateLimiter limiter(one_per_second_burst_4(), 7);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(limiter.check(ip("192.0.2.1"), at(0)), RateDecision::kAllow) << i;
  EXPECT_EQ(limiter.check(ip("192.0.2.1"), at(1)), RateDecision::kKissOfDeath);
  EXPECT_EQ(limiter.check(ip("192.0.2.1"), at(2)), RateDecision::kDrop);
  EXPECT_EQ(limiter.check(ip("192.0.2.1"), at(500)), RateDecision::kDrop);
  // One interval later one more request is allowed.
  EXPECT_EQ(limiter.check(ip("192.0.2.1"), at(1000)), RateDecision::kAllow);
  EXPECT_EQ(limiter.check(ip("192.0.2.1"), at(1001)), RateDecision::kDrop);
  // The KoD itself is limited: the next one only after kod_interval.
  EXPECT_EQ(limiter.check(ip("192.0.2.1"), at(2001)), RateDecision::kAllow);
  EXPECT_EQ(limiter.check(ip("192.0.2.1"), at(2002)), RateDecision::kKissOfDeath);
}

TEST(RateLimiter, SteadyPollerAtTheLimitIsNeverLimited) {
  RateLimiter limiter(one_per_second_burst_4(), 3);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(limiter.check(ip("2001:db8::1"), at(i * 1000)), RateDecision::kAllow) << i;
}

TEST(RateLimiter, ClientsAreIndependentAndIpv6CountsPerSlash64) {
  RateLimiter limiter(one_per_second_burst_4(), 11);
  for (int i = 0; i < 4; ++i) limiter.check(ip("2001:db8:1:2::1"), at(0));
  EXPECT_NE(limiter.check(ip("2001:db8:1:2::99"), at(0)), RateDecision::kAllow);  // same /64
  EXPECT_EQ(limiter.check(ip("2001:db8:1:3::1"), at(0)), RateDecision::kAllow);   // another /64
  EXPECT_EQ(limiter.check(ip("192.0.2.2"), at(0)), RateDecision::kAllow);
}

TEST(RateLimiter, MemoryStaysBoundedUnderManySources) {
  RateLimiter limiter(one_per_second_burst_4(), 5);
  const auto size = limiter.table_entries();
  for (std::uint32_t i = 0; i < 100'000; ++i) limiter.check(IpAddress::v4(0x0a000000 + i), at(0));
  EXPECT_EQ(limiter.table_entries(), size);
  EXPECT_EQ(size, 64u);
}

TEST(RateLimiter, BackwardTimeDoesNotUnlock) {
  RateLimiter limiter(one_per_second_burst_4(), 9);
  for (int i = 0; i < 5; ++i) limiter.check(ip("192.0.2.1"), at(10'000));
  EXPECT_EQ(limiter.check(ip("192.0.2.1"), at(0)), RateDecision::kDrop);
}

// The server's worker threads share one table: a client spread over every thread (SO_REUSEPORT
// hashes its source ports to different sockets) still gets its burst once, not once per thread.
TEST(RateLimiter, OneClientOverManyThreadsGetsTheLimitOnce) {
  RateLimiter limiter(one_per_second_burst_4(), 13);
  std::atomic<int> allowed{0}, kisses{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        const auto d = limiter.check(ip("192.0.2.1"), at(0));
        if (d == RateDecision::kAllow) ++allowed;
        if (d == RateDecision::kKissOfDeath) ++kisses;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 4);                                            // the burst, once
  EXPECT_EQ(kisses.load(), 1);                                             // and one KoD
  EXPECT_EQ(limiter.check(ip("192.0.2.2"), at(0)), RateDecision::kAllow);  // others unaffected
}

TEST(RateLimiter, ManyClientsOverManyThreadsEachGetTheirBurst) {
  RateLimitConfig config = one_per_second_burst_4();
  config.table_entries = 4096;
  RateLimiter limiter(config, 17);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int round = 0; round < 10; ++round)
        for (std::uint32_t c = 0; c < 100; ++c)
          if (limiter.check(IpAddress::v4(0xc0000200 + c), at(0)) == RateDecision::kAllow)
            ++allowed;
    });
  for (auto& t : threads) t.join();
  // 100 clients × a burst of 4, whatever the interleaving (100 clients in 4096 entries: at most
  // a race on a shared set could hand out a fresh bucket, so allow a little slack above).
  EXPECT_GE(allowed.load(), 400);
  EXPECT_LE(allowed.load(), 410);
}

TEST(AccessList, EmptyAllowsAll) {
  AccessList acl;
  EXPECT_TRUE(acl.permits(ip("192.0.2.1")));
  EXPECT_TRUE(acl.permits(ip("::1")));
}

TEST(AccessList, LongestPrefixWinsAndDenyBreaksTies) {
  AccessList acl;
  acl.allow(*IpPrefix::parse("10.0.0.0/8"));
  acl.deny(*IpPrefix::parse("10.1.0.0/16"));
  acl.allow(*IpPrefix::parse("10.1.2.3"));
  EXPECT_TRUE(acl.permits(ip("10.9.9.9")));
  EXPECT_FALSE(acl.permits(ip("10.1.9.9")));
  EXPECT_TRUE(acl.permits(ip("10.1.2.3")));
  EXPECT_FALSE(acl.permits(ip("192.0.2.1")));  // an allow rule exists: the rest is denied
  acl.deny(*IpPrefix::parse("10.1.2.3/32"));
  EXPECT_FALSE(acl.permits(ip("10.1.2.3")));
}

TEST(AccessList, DenyOnlyListAllowsTheRest) {
  AccessList acl;
  acl.deny(*IpPrefix::parse("2001:db8::/32"));
  EXPECT_FALSE(acl.permits(ip("2001:db8::5")));
  EXPECT_TRUE(acl.permits(ip("2001:db9::5")));
  EXPECT_TRUE(acl.permits(ip("127.0.0.1")));
}

}  // namespace
}  // namespace cw::ntp
