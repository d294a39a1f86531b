// Unit tests for core/bytes.h: big-endian fields, varints, and refusal to pass the end.
#include "core/bytes.h"

#include <gtest/gtest.h>

#include <array>

namespace cw {
namespace {

TEST(Bytes, WritesAndReadsBigEndian) {
  std::array<std::byte, 15> buffer{};
  ByteWriter writer{buffer};
  writer.u8(0x01);
  writer.u16(0x0203);
  writer.u32(0x04050607);
  writer.u64(0x08090a0b0c0d0e0full);
  ASSERT_FALSE(writer.overflowed());
  for (std::size_t i = 0; i < buffer.size(); ++i) EXPECT_EQ(buffer[i], std::byte(i + 1));

  ByteReader reader{buffer};
  EXPECT_EQ(reader.u8(), 0x01);
  EXPECT_EQ(reader.u16(), 0x0203);
  EXPECT_EQ(reader.u32(), 0x04050607u);
  EXPECT_EQ(reader.u64(), 0x08090a0b0c0d0e0full);
  EXPECT_TRUE(reader.empty());
  EXPECT_EQ(reader.u8(), std::nullopt);
}

TEST(Bytes, ShortReadLeavesThePositionAlone) {
  std::array<std::byte, 3> buffer{};
  ByteReader reader{buffer};
  EXPECT_EQ(reader.u32(), std::nullopt);
  EXPECT_EQ(reader.position(), 0u);
  EXPECT_EQ(reader.bytes(4), std::nullopt);
}

TEST(Bytes, OverflowWritesNothingMore) {
  std::array<std::byte, 3> buffer{};
  ByteWriter writer{buffer};
  writer.u16(1);
  writer.u16(2);
  EXPECT_TRUE(writer.overflowed());
  EXPECT_EQ(writer.size(), 2u);
}

TEST(Bytes, VarintsRoundTrip) {
  std::array<std::byte, 64> buffer{};
  ByteWriter writer{buffer};
  writer.varint(0);
  writer.varint(300);
  writer.varint(~0ull);
  writer.svarint(-1);
  writer.svarint(INT64_MIN);
  ByteReader reader{writer.written()};
  EXPECT_EQ(reader.varint(), 0u);
  EXPECT_EQ(reader.varint(), 300u);
  EXPECT_EQ(reader.varint(), ~0ull);
  EXPECT_EQ(reader.svarint(), -1);
  EXPECT_EQ(reader.svarint(), INT64_MIN);
  EXPECT_TRUE(reader.empty());
}

TEST(Bytes, VarintRejectsTruncationAndOverlongEncodings) {
  const std::array<std::byte, 2> truncated{std::byte{0x80}, std::byte{0x80}};
  EXPECT_EQ(ByteReader{truncated}.varint(), std::nullopt);
  std::array<std::byte, 11> overlong{};
  overlong.fill(std::byte{0xff});
  EXPECT_EQ(ByteReader{overlong}.varint(), std::nullopt);
}

}  // namespace
}  // namespace cw
