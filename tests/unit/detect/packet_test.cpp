// Unit tests for detect/packet.h: each link layer, IP options and extension headers, fragments,
// ICMP quotes, and truncated / malformed frames.
#include "detect/packet.h"

#include <gtest/gtest.h>

#include "frames.h"

namespace cw::detect {
namespace {
using namespace test;

DecodeStatus decode(LinkType link, const Frame& f, DecodedPacket& p) {
  return decode_packet(link, f, from_unix_ns(1), p);
}

TEST(Packet, EthernetIpv4Tcp) {
  DecodedPacket p;
  ASSERT_EQ(decode(LinkType::ethernet,
                   tcp4("10.0.0.1", "10.0.0.2", 40000, 502, tcp_flag::syn, bytes({1, 2, 3})), p),
            DecodeStatus::ok);
  EXPECT_EQ(p.source, ip("10.0.0.1"));
  EXPECT_EQ(p.destination, ip("10.0.0.2"));
  EXPECT_EQ(p.transport, Transport::tcp);
  EXPECT_EQ(p.source_port, 40000);
  EXPECT_EQ(p.destination_port, 502);
  EXPECT_TRUE(p.has(tcp_flag::syn));
  EXPECT_FALSE(p.has(tcp_flag::ack));
  EXPECT_EQ(p.payload.size(), 3u);
}

TEST(Packet, VlanAndQinQTags) {
  DecodedPacket p;
  const auto l3 = ipv4("10.0.0.1", "10.0.0.2", 17, udp(1, 2));
  EXPECT_EQ(decode(LinkType::ethernet, ethernet(l3, {0x8100}), p), DecodeStatus::ok);
  EXPECT_EQ(decode(LinkType::ethernet, ethernet(l3, {0x88a8, 0x8100}), p), DecodeStatus::ok);
  EXPECT_EQ(p.transport, Transport::udp);
  EXPECT_EQ(decode(LinkType::ethernet, ethernet(l3, {0x8100, 0x8100, 0x8100, 0x8100, 0x8100}), p),
            DecodeStatus::malformed);
  EXPECT_EQ(decode(LinkType::ethernet, ethernet(l3, {}, 0x0806), p), DecodeStatus::not_ip);
}

TEST(Packet, LinuxCookedV1AndV2AndRaw) {
  DecodedPacket p;
  const auto l3 = ipv4("10.0.0.1", "10.0.0.2", 17, udp(1, 53));
  Frame sll(14, std::byte{0});
  put16(sll, 0x0800);
  put(sll, l3);
  EXPECT_EQ(decode(LinkType::linux_sll, sll, p), DecodeStatus::ok);
  EXPECT_EQ(p.destination_port, 53);
  Frame sll2;
  put16(sll2, 0x0800);
  sll2.resize(20, std::byte{0});
  put(sll2, l3);
  EXPECT_EQ(decode(LinkType::linux_sll2, sll2, p), DecodeStatus::ok);
  EXPECT_EQ(p.destination_port, 53);
  EXPECT_EQ(decode(LinkType::raw, l3, p), DecodeStatus::ok);
  EXPECT_EQ(decode(LinkType::raw_linktype, l3, p), DecodeStatus::ok);
  EXPECT_EQ(decode(static_cast<LinkType>(147), l3, p), DecodeStatus::unsupported_link);
}

TEST(Packet, Ipv4OptionsPaddingAndFragments) {
  DecodedPacket p;
  Frame l4 = tcp(1, 2, tcp_flag::ack);
  Frame with_options = ipv4("10.0.0.1", "10.0.0.2", 6, {});
  with_options[0] = std::byte{0x46};  // IHL 6: one option word
  with_options.insert(with_options.begin() + 20,
                      {std::byte{1}, std::byte{1}, std::byte{1}, std::byte{0}});
  put(with_options, l4);
  with_options[3] = static_cast<std::byte>(24 + l4.size());
  Frame padded = ethernet(with_options);
  padded.resize(padded.size() + 6, std::byte{0});  // Ethernet padding is not payload
  ASSERT_EQ(decode(LinkType::ethernet, padded, p), DecodeStatus::ok);
  EXPECT_EQ(p.destination_port, 2);
  EXPECT_TRUE(p.payload.empty());
  // A non-first fragment carries no transport header; the first one does (MF set, offset 0).
  EXPECT_EQ(decode(LinkType::raw, ipv4("10.0.0.1", "10.0.0.2", 6, l4, 0x0010), p),
            DecodeStatus::ok);
  EXPECT_TRUE(p.later_fragment);
  EXPECT_EQ(p.transport, Transport::none);
  EXPECT_EQ(decode(LinkType::raw, ipv4("10.0.0.1", "10.0.0.2", 6, l4, 0x2000), p),
            DecodeStatus::ok);
  EXPECT_FALSE(p.later_fragment);
  EXPECT_EQ(p.transport, Transport::tcp);
}

TEST(Packet, Ipv6ExtensionHeaderChain) {
  DecodedPacket p;
  Frame chain = bytes({44, 0, 0, 0, 0, 0, 0, 0});     // hop-by-hop (8 bytes) → fragment
  put(chain, bytes({6, 0, 0x00, 0x01, 0, 0, 0, 7}));  // fragment offset 0, M=1 → TCP
  put(chain, tcp(5000, 22, tcp_flag::syn));
  ASSERT_EQ(decode(LinkType::raw, ipv6("2001:db8::1", "2001:db8::2", 0, chain), p),
            DecodeStatus::ok);
  EXPECT_EQ(p.transport, Transport::tcp);
  EXPECT_EQ(p.destination_port, 22);
  EXPECT_EQ(p.source, ip("2001:db8::1"));
  Frame later = bytes({6, 0, 0x01, 0x00, 0, 0, 0, 7});  // offset 32: a later fragment
  put(later, bytes({1, 2, 3, 4}));
  ASSERT_EQ(decode(LinkType::raw, ipv6("2001:db8::1", "2001:db8::2", 44, later), p),
            DecodeStatus::ok);
  EXPECT_TRUE(p.later_fragment);
}

TEST(Packet, IcmpUnreachableQuotesTheFailedDatagram) {
  DecodedPacket p;
  ASSERT_EQ(decode(LinkType::ethernet,
                   icmp_unreachable4("10.0.0.2", "10.0.0.1", "10.0.0.2", 40000, 161), p),
            DecodeStatus::ok);
  EXPECT_TRUE(p.unreachable);
  ASSERT_TRUE(p.quoted.present);
  EXPECT_EQ(p.quoted.transport, Transport::udp);
  EXPECT_EQ(p.quoted.source, ip("10.0.0.1"));
  EXPECT_EQ(p.quoted.destination_port, 161);
  Frame icmp6 = bytes({1, 4, 0, 0, 0, 0, 0, 0});
  put(icmp6, ipv6("2001:db8::1", "2001:db8::2", 17, udp(4000, 53)));
  ASSERT_EQ(decode(LinkType::raw, ipv6("2001:db8::2", "2001:db8::1", 58, icmp6), p),
            DecodeStatus::ok);
  EXPECT_TRUE(p.quoted.present);
  EXPECT_EQ(p.quoted.destination_port, 53);
}

TEST(Packet, TruncatedAndMalformedAreTold) {
  DecodedPacket p;
  const auto good = tcp4("10.0.0.1", "10.0.0.2", 1, 2, tcp_flag::syn);
  for (std::size_t cut = 0; cut < good.size(); ++cut) {
    const Frame part(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
    const auto status = decode(LinkType::ethernet, part, p);
    EXPECT_TRUE(status == DecodeStatus::truncated || status == DecodeStatus::malformed) << cut;
  }
  Frame bad_version = ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1, 2, 0));
  bad_version[0] = std::byte{0x55};
  EXPECT_EQ(decode(LinkType::raw, bad_version, p), DecodeStatus::malformed);
  Frame short_ihl = ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1, 2, 0));
  short_ihl[0] = std::byte{0x44};
  EXPECT_EQ(decode(LinkType::raw, short_ihl, p), DecodeStatus::malformed);
  Frame bad_udp = ipv4("10.0.0.1", "10.0.0.2", 17, udp(1, 2));
  bad_udp[20 + 5] = std::byte{3};  // UDP length 3 < 8
  EXPECT_EQ(decode(LinkType::raw, bad_udp, p), DecodeStatus::malformed);
}

}  // namespace
}  // namespace cw::detect
