// Unit tests for core/ip_address.h.
#include "core/ip_address.h"

#include <gtest/gtest.h>

namespace cw {
namespace {

TEST(IpAddress, ParsesAndFormatsBothFamilies) {
  EXPECT_EQ(IpAddress::parse("192.0.2.1")->to_string(), "192.0.2.1");
  EXPECT_TRUE(IpAddress::parse("192.0.2.1")->is_v4());
  EXPECT_EQ(IpAddress::parse("2001:db8::1")->to_string(), "2001:db8::1");
  EXPECT_FALSE(IpAddress::parse("2001:db8::1")->is_v4());
  EXPECT_EQ(IpAddress::parse("10.0.0.256"), std::nullopt);
  EXPECT_EQ(IpAddress::v4(0x7f000001).to_string(), "127.0.0.1");
}

TEST(IpPrefix, MatchesWithinItsFamilyOnly) {
  const auto net = IpPrefix::parse("10.1.0.0/16").value();
  EXPECT_TRUE(net.contains(*IpAddress::parse("10.1.200.3")));
  EXPECT_FALSE(net.contains(*IpAddress::parse("10.2.0.1")));
  EXPECT_FALSE(net.contains(*IpAddress::parse("2001:db8::")));
  EXPECT_TRUE(IpPrefix::parse("2001:db8::/33")->contains(*IpAddress::parse("2001:db8:7fff::1")));
  EXPECT_FALSE(IpPrefix::parse("2001:db8::/33")->contains(*IpAddress::parse("2001:db8:8000::1")));
  EXPECT_TRUE(IpPrefix::parse("0.0.0.0/0")->contains(*IpAddress::parse("8.8.8.8")));
  EXPECT_EQ(IpPrefix::parse("10.0.0.0/33"), std::nullopt);
  EXPECT_EQ(IpPrefix::parse("10.0.0.1")->length, 32);
}

}  // namespace
}  // namespace cw
