// Unit tests for ntp/packet.h: the 48-byte header of RFC 5905 §7.3 (figure 8) read from and written
// to literal bytes, and the split of the rest into extension fields and MAC per RFC 7822 §7.5.
#include "ntp/packet.h"

#include <gtest/gtest.h>

#include "hex.h"

namespace cw::ntp {
namespace {

using namespace std::chrono_literals;
using testing::concat;
using testing::hex;
using testing::to_hex;

// A client request: LI=3 (unsynchronized), VN=4, Mode=3; stratum 0, poll 3 (8 s), precision −6;
// root delay and dispersion 1.0 s; transmit 2023-12-06T17:31:54.296Z.
const auto kRequest =
    hex("e3 00 03 fa  00 01 00 00  00 01 00 00  00 00 00 00"
        "00 00 00 00 00 00 00 00   00 00 00 00 00 00 00 00"
        "00 00 00 00 00 00 00 00   e9 1b 2e 8a 4b c6 a7 ef");

// A server reply: LI=0, VN=4, Mode=4, stratum 2, poll 6, precision −23, root delay 0x0123/65536 s,
// root dispersion 0.5 s, refid 127.0.0.1, and the four timestamps.
const auto kReply =
    hex("24 02 06 e9  00 00 01 23  00 00 80 00  7f 00 00 01"
        "e9 1b 2e 80 00 00 00 00   e9 1b 2e 8a 4b c6 a7 ef"
        "e9 1b 2e 8a 4c 00 00 00   e9 1b 2e 8a 4c 10 00 00");

// A Kiss-o'-Death (RFC 5905 §7.4): stratum 0, refid "RATE".
const auto kRateKiss =
    hex("e4 00 06 e9  00 00 00 00  00 00 00 00  52 41 54 45"
        "00 00 00 00 00 00 00 00   e9 1b 2e 8a 4b c6 a7 ef"
        "00 00 00 00 00 00 00 00   00 00 00 00 00 00 00 00");

TEST(PacketHeader, ReadsEveryFieldOfAClientRequest) {
  const auto p = parse(kRequest).value().header;
  EXPECT_EQ(p.leap, LeapIndicator::unsynchronized);
  EXPECT_EQ(p.version, 4);
  EXPECT_EQ(p.mode, Mode::client);
  EXPECT_EQ(p.stratum.value, 0);
  EXPECT_EQ(p.poll.log2_seconds, 3);
  EXPECT_EQ(p.poll.duration(), 8s);
  EXPECT_EQ(p.precision.log2_seconds, -6);
  EXPECT_EQ(p.precision.duration(), 15'625'000ns);  // 2^-6 s
  EXPECT_EQ(p.root_delay.to_duration(), 1s);
  EXPECT_EQ(p.root_dispersion.to_duration(), 1s);
  EXPECT_TRUE(p.origin_time.is_zero());
  EXPECT_EQ(p.transmit_time, NtpTimestamp(0xe91b2e8a, 0x4bc6a7ef));
  EXPECT_EQ(p.transmit_time.to_timestamp(from_unix_ns(1'700'000'000'000'000'000)),
            from_unix_ns(1'701'883'914'296'000'000));
}

TEST(PacketHeader, ReadsAServerReply) {
  const auto parsed = parse(kReply).value();
  const auto& p = parsed.header;
  EXPECT_EQ(p.leap, LeapIndicator::no_warning);
  EXPECT_EQ(p.mode, Mode::server);
  EXPECT_EQ(p.stratum.value, 2);
  EXPECT_FALSE(p.stratum.is_kiss_of_death());
  EXPECT_EQ(p.precision.log2_seconds, -23);
  EXPECT_EQ(p.root_delay.raw(), 0x0123u);
  EXPECT_EQ(p.root_dispersion.to_duration(), 500ms);
  EXPECT_EQ(p.reference_id.to_string(), "127.0.0.1");
  EXPECT_EQ(p.origin_time, NtpTimestamp(0xe91b2e8a, 0x4bc6a7ef));
  EXPECT_EQ(p.transmit_time - p.receive_time, 244'141ns);  // 0x00100000 / 2^32 s, to the nearest ns
  EXPECT_TRUE(parsed.extensions.empty());
  EXPECT_FALSE(parsed.mac.has_value());
  EXPECT_EQ(parsed.authenticated.size(), 48u);
}

TEST(PacketHeader, KissOfDeathCodeIsAscii) {
  const auto p = parse(kRateKiss).value().header;
  EXPECT_TRUE(p.stratum.is_kiss_of_death());
  EXPECT_EQ(p.reference_id, RefId::from_ascii("RATE"));
  EXPECT_EQ(p.reference_id.ascii(), "RATE");
  EXPECT_EQ(RefId::from_ascii("GPS").ascii(), "GPS");
  EXPECT_EQ(RefId::from_u32(0x7f000001).ascii(), std::nullopt);
}

TEST(PacketHeader, SerializeWritesTheSameBytesBack) {
  for (const auto& wire : {kRequest, kReply, kRateKiss}) {
    const auto p = parse_header(wire).value();
    EXPECT_EQ(to_hex(serialize(p)), to_hex(wire));
  }
}

TEST(PacketHeader, SerializesAFreshRequest) {
  Packet p;
  p.leap = LeapIndicator::unsynchronized;
  p.mode = Mode::client;
  p.poll = PollInterval{6};
  p.transmit_time = NtpTimestamp(0x01020304, 0x05060708);
  EXPECT_EQ(to_hex(serialize(p)),
            "e3000600"
            "00000000"
            "00000000"
            "00000000"
            "0000000000000000"
            "0000000000000000"
            "0000000000000000"
            "0102030405060708");
}

TEST(PacketHeader, SerializeRefusesAShortBuffer) {
  std::array<std::byte, 47> small{};
  EXPECT_EQ(serialize(Packet{}, small), 0u);
}

TEST(PacketParse, RejectsWhatIsTooShort) {
  EXPECT_EQ(parse({}).error(), ParseError::too_short);
  EXPECT_EQ(parse(std::span(kRequest).first(47)).error(), ParseError::too_short);
}

TEST(PacketParse, RejectsVersionsZeroAndFiveToSeven) {
  for (const int lvm : {0x03, 0x2b, 0x33, 0x3b}) {  // VN 0, 5, 6, 7
    auto wire = kRequest;
    wire[0] = static_cast<std::byte>(lvm);
    EXPECT_EQ(parse(wire).error(), ParseError::bad_version) << int(lvm);
  }
  for (const int lvm : {0x0b, 0x13, 0x1b, 0x23}) {  // VN 1–4 are read
    auto wire = kRequest;
    wire[0] = static_cast<std::byte>(lvm);
    EXPECT_TRUE(parse(wire).has_value()) << int(lvm);
  }
}

TEST(PacketParse, RejectsALengthThatIsNotAMultipleOfFour) {
  EXPECT_EQ(parse(concat(kRequest, hex("00"))).error(), ParseError::bad_length);
  EXPECT_EQ(parse(concat(kRequest, hex("00 00 00 00 00 00"))).error(), ParseError::bad_length);
}

TEST(PacketParse, RejectsAnAbsurdlyLongDatagram) {
  std::vector<std::byte> wire(kMaxPacketSize + 4);
  std::copy(kRequest.begin(), kRequest.end(), wire.begin());
  EXPECT_EQ(parse(wire).error(), ParseError::too_long);
}

TEST(PacketParse, ParseErrorsHaveMessages) {
  EXPECT_EQ(to_string(ParseError::bad_crypto_nak), "4-byte trailer with a non-zero key id");
  EXPECT_FALSE(to_string(ParseError::truncated_extension_field).empty());
}

TEST(PollInterval, SaturatesInsteadOfOverflowing) {
  EXPECT_EQ(PollInterval{-1}.duration(), 500ms);
  EXPECT_EQ(PollInterval{17}.duration(), 131072s);
  EXPECT_EQ(PollInterval{127}.duration(), Duration::max());
  EXPECT_EQ(Precision{-128}.duration(), Duration::zero());
}

}  // namespace
}  // namespace cw::ntp
