// Unit tests for core/crc32c.h against the standard check value.
#include "core/crc32c.h"

#include <gtest/gtest.h>

#include <string_view>

namespace cw {
namespace {

std::span<const std::byte> bytes_of(std::string_view text) {
  return std::as_bytes(std::span{text.data(), text.size()});
}

TEST(Crc32c, MatchesTheCheckValue) { EXPECT_EQ(crc32c(bytes_of("123456789")), 0xE3069283u); }

TEST(Crc32c, ExtendsIncrementally) {
  EXPECT_EQ(crc32c(bytes_of("6789"), crc32c(bytes_of("12345"))), 0xE3069283u);
  EXPECT_EQ(crc32c({}), 0u);
}

}  // namespace
}  // namespace cw
