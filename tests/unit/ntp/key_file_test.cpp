// Unit tests for ntp/key_file.h: chrony's keyfile format (`ID TYPE HEX:…`, `ASCII:…`, legacy
// `ID KEY`), comments and blank lines, and an error naming the line for each kind of mistake.
#include "ntp/key_file.h"

#include <gtest/gtest.h>

#include "hex.h"
#include "ntp/mac.h"

namespace cw::ntp {
namespace {

using testing::hex;
using testing::to_hex;

// A keyfile in chrony's format (chrony.conf(5) "keyfile"), one key of every type.
constexpr std::string_view kChronyExample = R"(# keys for chronowatch tests
1 MD5 HEX:B028F91EA5C38D06C2E140B26C7F41EC
2 SHA1 HEX:0E8C3EB5A9A5B1E8D1D98C4E2A7F3A7B8C9D0E1F
  ; indented comment
3 SHA256 HEX:000102030405060708090A0B0C0D0E0F101112131415161718191a1b1c1d1e1f
4 SHA384 ASCII:a-password
! another comment style
5 SHA512 ASCII:chronowatch
% and another

6 AES128 HEX:000102030405060708090a0b0c0d0e0f
7 AES256 HEX:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
8 HMAC-SHA256 chronowatch
10 legacy-md5-password
)";

TEST(KeyFile, ReadsChronysFormat) {
  const auto store = parse_key_file(kChronyExample);
  ASSERT_TRUE(store) << store.error().to_string();
  EXPECT_EQ(store->size(), 9u);
  EXPECT_EQ(store->find(KeyId{1})->type(), KeyType::md5);
  EXPECT_EQ(store->find(KeyId{1})->secret_size(), 16u);
  EXPECT_EQ(store->find(KeyId{3})->type(), KeyType::sha256);
  EXPECT_EQ(store->find(KeyId{3})->secret_size(), 32u);
  EXPECT_EQ(store->find(KeyId{6})->type(), KeyType::aes128);
  EXPECT_EQ(store->find(KeyId{7})->type(), KeyType::aes256);
  EXPECT_EQ(store->find(KeyId{8})->type(), KeyType::hmac_sha256);
  const auto* legacy = store->find(KeyId{10});
  EXPECT_EQ(legacy->type(), KeyType::md5) << "two words: chrony's legacy MD5 key";
  EXPECT_EQ(legacy->secret_size(), std::string_view("legacy-md5-password").size());
}

TEST(KeyFile, AsciiAndBareSecretsAreTheSameKey) {
  const auto store =
      parse_key_file(
          "1 SHA1 ASCII:chronowatch\n2 SHA1 chronowatch\n3 SHA1 HEX:6368726f6e6f7761746368\n")
          .value();
  const auto request =
      hex("e30003fa 00010000 00010000 00000000 0000000000000000 0000000000000000"
          "0000000000000000 e91b2e8a4bc6a7ef");
  // `cat key request | openssl dgst -sha1` with key "chronowatch" (see mac_test.cpp).
  for (const std::uint32_t id : {1u, 2u, 3u})
    EXPECT_EQ(to_hex(compute_mac(*store.find(KeyId{id}), request).view()),
              "d23f790b61f1eb0a4fc34a82b4c12738193f0eeb");
}

TEST(KeyFile, AcceptsCrLfAndTabs) {
  const auto store = parse_key_file("1\tMD5\tHEX:00ff\r\n\r\n2 SHA1 x\r\n");
  ASSERT_TRUE(store) << store.error().to_string();
  EXPECT_EQ(store->size(), 2u);
  EXPECT_EQ(store->find(KeyId{1})->secret_size(), 2u);
}

TEST(KeyFile, EmptyFileIsAnEmptyStore) {
  EXPECT_TRUE(parse_key_file("").value().empty());
  EXPECT_TRUE(parse_key_file("# nothing\n\n").value().empty());
}

struct BadLine {
  const char* text;
  std::size_t line;
  const char* message;
};

TEST(KeyFile, ErrorsNameTheLine) {
  const BadLine cases[] = {
      {"1 MD5 HEX:00\n2 SHA1 HEX:0g\n", 2, "bad hex (not a hex digit at position 1) in key 2"},
      {"# c\n3 SHA1 HEX:abc\n", 2, "bad hex (odd number of digits) in key 3"},
      {"\n\n4 SHA3 HEX:00\n", 3,
       "unknown type 'SHA3' in key 4 (expected one of MD5, SHA1, SHA256, SHA384, SHA512, AES128, "
       "AES256, HMAC-SHA256)"},
      {"5 MD5 a\n5 SHA1 b\n", 2, "duplicate key id 5"},
      {"x MD5 a\n", 1, "bad key id 'x' (expected a number from 1 to 4294967295)"},
      {"4294967296 MD5 a\n", 1, "bad key id '4294967296' (expected a number from 1 to 4294967295)"},
      {"-1 MD5 a\n", 1, "bad key id '-1' (expected a number from 1 to 4294967295)"},
      {"0 MD5 a\n", 1, "key id 0 is reserved for the crypto-NAK"},
      {"6 AES128 HEX:00010203\n", 1,
       "key 6: AES128 keys must be 128 bits (16 bytes), this one has 4"},
      {"7 AES256 HEX:000102030405060708090a0b0c0d0e0f\n", 1,
       "key 7: AES256 keys must be 256 bits (32 bytes), this one has 16"},
      {"8 MD5 HEX:\n", 1, "empty key in key 8"},
      {"9 SHA1 ASCII:\n", 1, "empty key in key 9"},
      {"10\n", 1, "missing key (expected 'ID TYPE KEY' or 'ID KEY')"},
      {"11 SHA1 HEX:00 extra\n", 1, "too many words (expected 'ID TYPE KEY' or 'ID KEY')"},
  };
  for (const auto& bad : cases) {
    const auto result = parse_key_file(bad.text);
    ASSERT_FALSE(result) << bad.text;
    EXPECT_EQ(result.error().line, bad.line) << bad.text;
    EXPECT_EQ(result.error().message, bad.message) << bad.text;
  }
  EXPECT_EQ(parse_key_file("x\n").error().to_string(),
            "line 1: missing key (expected 'ID TYPE KEY' or 'ID KEY')");
}

TEST(SecretFromEnvironment, DefaultsToHmacSha256WithKeyIdOne) {
  const auto k = key_from_secret("s3cret", "").value();
  EXPECT_EQ(k.id(), KeyId{1});
  EXPECT_EQ(k.type(), KeyType::hmac_sha256);
  EXPECT_EQ(k.secret_size(), 6u);
}

TEST(SecretFromEnvironment, TypeNamesAnyCaseAndSecretsMayBeHex) {
  const auto k = key_from_secret("HEX:000102030405060708090a0b0c0d0e0f", "aes128").value();
  EXPECT_EQ(k.type(), KeyType::aes128);
  EXPECT_EQ(key_from_secret("x", "hmac-sha256").value().type(), KeyType::hmac_sha256);
  EXPECT_EQ(key_from_secret("x", "Sha1").value().type(), KeyType::sha1);
}

TEST(SecretFromEnvironment, SaysWhatIsWrong) {
  EXPECT_EQ(key_from_secret("x", "blake2").error(),
            "unknown key type 'blake2' (expected one of MD5, SHA1, SHA256, SHA384, SHA512, AES128, "
            "AES256, HMAC-SHA256)");
  EXPECT_EQ(key_from_secret("", "").error(), "empty key");
  EXPECT_EQ(key_from_secret("HEX:zz", "").error(), "bad hex (not a hex digit at position 1)");
  EXPECT_FALSE(key_from_secret("short", "AES256").has_value());
}

}  // namespace
}  // namespace cw::ntp
