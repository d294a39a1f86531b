// Unit tests for what follows the NTP header: extension fields (RFC 7822 §3), the MAC trailer
// (RFC 5905 §7.3) and the crypto-NAK (§7.4), and the length rules that tell them apart (RFC 7822
// §7.5, as chronyd applies them).
#include "ntp/extension_field.h"

#include <gtest/gtest.h>

#include "hex.h"
#include "ntp/packet.h"

namespace cw::ntp {
namespace {

using testing::concat;
using testing::hex;
using testing::to_hex;

const auto kHeader =
    hex("23 00 06 20  00 00 00 00  00 00 00 00  00 00 00 00"
        "00 00 00 00 00 00 00 00   00 00 00 00 00 00 00 00"
        "00 00 00 00 00 00 00 00   e9 1b 2e 8a 4b c6 a7 ef");
const auto kV3Header = [] {
  auto h = kHeader;
  h[0] = std::byte{0x1b};  // LI 0, VN 3, mode 3
  return h;
}();

// Key id 1, a 16-byte digest (MD5 or AES-CMAC).
const auto kMac20 = hex("00000001 00112233445566778899aabbccddeeff");
// Key id 0x2a, a 20-byte digest (SHA1, or SHA2 truncated to 20 as chronyd does in NTPv4).
const auto kMac24 = hex("0000002a 00112233445566778899aabbccddeeff01234567");
// RFC 7822 §3: type 0x0104 (NTS Unique Identifier), length 16, 12 bytes of value.
const auto kField16 = hex("0104 0010 0102030405060708090a0b0c");
// Type 0x0204, length 28: an RFC 7822 §7.5-sized last field when no MAC follows.
const auto kField28 = hex("0204 001c 000102030405060708090a0b0c0d0e0f1011121314151617");

TEST(MacTrailer, TwentyBytesAfterTheHeaderAreAKeyIdAndA16ByteDigest) {
  const auto wire = concat(kHeader, kMac20);  // parsed spans point into it: keep it alive
  const auto parsed = parse(wire).value();
  ASSERT_TRUE(parsed.mac);
  EXPECT_EQ(parsed.mac->key_id, KeyId{1});
  EXPECT_EQ(to_hex(parsed.mac->digest), "00112233445566778899aabbccddeeff");
  EXPECT_FALSE(parsed.mac->is_crypto_nak());
  EXPECT_TRUE(parsed.extensions.empty());
  EXPECT_EQ(parsed.authenticated.size(), 48u);
}

TEST(MacTrailer, TwentyFourBytesAfterTheHeaderAreAKeyIdAndA20ByteDigest) {
  const auto wire = concat(kHeader, kMac24);
  const auto parsed = parse(wire).value();
  ASSERT_TRUE(parsed.mac);
  EXPECT_EQ(parsed.mac->key_id, KeyId{42});
  EXPECT_EQ(parsed.mac->digest.size(), 20u);
}

TEST(MacTrailer, FourZeroBytesAreTheCryptoNak) {
  const auto wire = concat(kHeader, hex("00000000"));
  const auto parsed = parse(wire).value();
  ASSERT_TRUE(parsed.mac);
  EXPECT_TRUE(parsed.mac->is_crypto_nak());
}

TEST(MacTrailer, FourBytesWithAKeyIdAreNotACryptoNak) {
  EXPECT_EQ(parse(concat(kHeader, hex("00000001"))).error(), ParseError::bad_crypto_nak);
  EXPECT_EQ(parse(concat(kV3Header, hex("00000007"))).error(), ParseError::bad_crypto_nak);
}

TEST(MacTrailer, NtpV3CarriesAFullLengthDigest) {
  // NTPv3 has no extension fields; chronyd sends untruncated SHA256/384/512 digests in v3.
  for (const std::size_t digest : {16u, 20u, 32u, 48u, 64u}) {
    auto wire = concat(kV3Header, hex("00000005"));
    wire.resize(wire.size() + digest, std::byte{0xab});
    const auto parsed = parse(wire).value();
    ASSERT_TRUE(parsed.mac) << digest;
    EXPECT_EQ(parsed.mac->key_id, KeyId{5});
    EXPECT_EQ(parsed.mac->digest.size(), digest);
  }
}

TEST(MacTrailer, NtpV3RejectsTrailersOfNoMacLength) {
  for (const std::size_t size : {8u, 12u, 16u, 72u}) {
    auto wire = kV3Header;
    wire.resize(wire.size() + size);
    EXPECT_EQ(parse(wire).error(), ParseError::bad_mac_length) << size;
  }
}

TEST(MacTrailer, NtpV4LongMacsHaveSha2DigestLengthsOnly) {
  auto wire = concat(kHeader, hex("00000001"));
  wire.resize(wire.size() + 24, std::byte{0x5c});  // no key type has a 24-byte digest
  EXPECT_EQ(parse(wire).error(), ParseError::bad_extension_length);
}

TEST(MacTrailer, NtpV4AcceptsALongMacRightAfterTheHeader) {
  // What an old chrony client sends with a SHA256 key in NTPv4: key id 1 + 32-byte digest. Read
  // as an extension field its Length would be 1, so it can only be a MAC.
  auto wire = concat(kHeader, hex("00000001"));
  wire.resize(wire.size() + 32, std::byte{0x5c});
  const auto parsed = parse(wire).value();
  ASSERT_TRUE(parsed.mac);
  EXPECT_EQ(parsed.mac->digest.size(), 32u);
}

TEST(ExtensionFields, AFieldThenAMac) {
  const auto wire = concat(concat(kHeader, kField16), kMac24);
  const auto parsed = parse(wire).value();
  ASSERT_EQ(parsed.extensions.size(), 1u);
  const auto field = *parsed.extensions.begin();
  EXPECT_EQ(field.type, 0x0104);
  EXPECT_EQ(to_hex(field.body), "0102030405060708090a0b0c");
  ASSERT_TRUE(parsed.mac);
  EXPECT_EQ(parsed.mac->key_id, KeyId{42});
  EXPECT_EQ(parsed.authenticated.size(), 48u + 16u);  // the MAC covers header + fields
}

TEST(ExtensionFields, TwoFieldsAndNoMac) {
  const auto wire = concat(concat(kHeader, kField16), kField28);
  const auto parsed = parse(wire).value();
  EXPECT_FALSE(parsed.mac);
  ASSERT_EQ(parsed.extensions.size(), 2u);
  std::vector<std::uint16_t> types;
  for (const auto field : parsed.extensions) types.push_back(field.type);
  EXPECT_EQ(types, (std::vector<std::uint16_t>{0x0104, 0x0204}));
  EXPECT_EQ(parsed.extensions.find(0x0204)->body.size(), 24u);
  EXPECT_FALSE(parsed.extensions.find(0x0404));
  EXPECT_EQ(parsed.authenticated.size(), wire.size());
}

TEST(ExtensionFields, ALengthBelowSixteenIsRejected) {
  EXPECT_EQ(parse(concat(kHeader, hex("0104 000c 0102030405060708 00000000"))).error(),
            ParseError::bad_extension_length);
}

TEST(ExtensionFields, ALengthNotAMultipleOfFourIsRejected) {
  EXPECT_EQ(
      parse(concat(kHeader, hex("0104 0011 0102030405060708090a0b0c 00000000 00000000 00000000")))
          .error(),
      ParseError::bad_extension_length);
}

TEST(ExtensionFields, AFieldLongerThanThePacketIsTruncated) {
  // Length 0x40 = 64, but only 28 bytes follow the header.
  EXPECT_EQ(
      parse(concat(kHeader, hex("0104 0040 000102030405060708090a0b0c0d0e0f1011121314151617")))
          .error(),
      ParseError::truncated_extension_field);
  EXPECT_EQ(read_extension_field(hex("01")).error(), ParseError::truncated_extension_field);
}

TEST(ExtensionFields, ARemainderTooShortForAMacAfterAFieldIsRejected) {
  // Two 28-byte fields, then 8 bytes: neither a MAC (20–24) nor a field (≥ 16).
  const auto two_fields = concat(concat(kHeader, kField28), kField28);
  EXPECT_EQ(parse(concat(two_fields, hex("0000000100000000"))).error(),
            ParseError::bad_extension_length);
  // A field, then a crypto-NAK: chronyd only reads a crypto-NAK right after the header.
  EXPECT_EQ(parse(concat(concat(kHeader, kField28), hex("00000000"))).error(),
            ParseError::bad_extension_length);
}

TEST(ExtensionFields, TwentyFourBytesAreAMacEvenIfTheyLookLikeAField) {
  // RFC 7822 §7.5: a remainder of MAC length is a MAC; a field followed by 8 bytes is 24 bytes.
  const auto wire = concat(concat(kHeader, kField16), hex("0000000100000000"));
  const auto parsed = parse(wire).value();
  EXPECT_TRUE(parsed.extensions.empty());
  EXPECT_EQ(parsed.mac->key_id, KeyId{0x01040010});
}

TEST(ExtensionFields, NtpV3HasNone) {
  // In NTPv3 the same bytes are one long MAC (key id 0x01040010), not a field.
  const auto wire = concat(concat(kV3Header, kField16), kMac24);
  const auto parsed = parse(wire).value();
  EXPECT_TRUE(parsed.extensions.empty());
  EXPECT_EQ(parsed.mac->key_id, KeyId{0x01040010});
}

TEST(ExtensionFieldWriter, PadsToAMultipleOfFourAndAtLeastSixteen) {
  std::array<std::byte, 64> out{};
  const auto value = hex("aabbcc");
  ASSERT_EQ(write_extension_field(out, 0x0104, value), 16u);
  EXPECT_EQ(to_hex(std::span(out).first(16)), "01040010aabbcc000000000000000000");

  const auto long_value = hex("000102030405060708090a0b0c0d");  // 14 bytes → 4 + 14 + 2
  ASSERT_EQ(write_extension_field(out, 0x0204, long_value), 20u);
  EXPECT_EQ(to_hex(std::span(out).first(20)), "02040014000102030405060708090a0b0c0d0000");

  EXPECT_EQ(write_extension_field(out, 0x0204, value, kMinLastExtensionFieldSizeWithoutMac), 28u);
}

TEST(ExtensionFieldWriter, RefusesWhatDoesNotFit) {
  std::array<std::byte, 15> small{};
  EXPECT_EQ(write_extension_field(small, 1, {}), 0u);
  std::vector<std::byte> huge(kMaxExtensionFieldSize);
  std::vector<std::byte> out(kMaxExtensionFieldSize + 8);
  EXPECT_EQ(write_extension_field(out, 1, huge), 0u);
}

TEST(ExtensionFieldWriter, WhatIsWrittenReadsBack) {
  std::array<std::byte, 32> out{};
  const auto value = hex("0102030405");
  const auto size = write_extension_field(out, 0x8002, value);
  const auto field = read_extension_field(std::span(out).first(size)).value();
  EXPECT_EQ(field.type, 0x8002);
  EXPECT_EQ(to_hex(field.body.first(5)), "0102030405");
}

}  // namespace
}  // namespace cw::ntp
