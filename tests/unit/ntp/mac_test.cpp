// Unit tests for ntp/keys.h and ntp/mac.h: known-answer digests for every key type (expected values
// computed with `openssl dgst` / `openssl mac` over the same bytes), chronyd's truncation to 20
// bytes in NTPv4 (RFC 7822 §7.5), the MAC trailer and crypto-NAK, and rejection of tampering.
#include "ntp/mac.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "hex.h"
#include "ntp/key_file.h"

namespace cw::ntp {
namespace {

using testing::hex;
using testing::to_hex;

// The client request of packet_test.cpp (LI 3, VN 4, mode 3, transmit e91b2e8a.4bc6a7ef).
const auto kRequest =
    hex("e3 00 03 fa  00 01 00 00  00 01 00 00  00 00 00 00"
        "00 00 00 00 00 00 00 00   00 00 00 00 00 00 00 00"
        "00 00 00 00 00 00 00 00   e9 1b 2e 8a 4b c6 a7 ef");
const auto kAes128Secret = hex("000102030405060708090a0b0c0d0e0f");
const auto kAes256Secret = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

Key key(KeyType type, std::uint32_t id = 1) {
  const auto ascii = std::as_bytes(std::span(std::string_view("chronowatch")));
  const auto secret = type == KeyType::aes128   ? std::span<const std::byte>(kAes128Secret)
                      : type == KeyType::aes256 ? std::span<const std::byte>(kAes256Secret)
                                                : ascii;
  return Key::make(KeyId{id}, type, secret).value();
}

std::string full_digest(const Key& k, std::span<const std::byte> data) {
  std::array<std::byte, kMaxDigestSize> out{};
  return to_hex(std::span(out).first(k.digest(data, out)));
}

struct KnownAnswer {
  KeyType type;
  const char* digest;  // untruncated, over kRequest
};

// `cat key request | openssl dgst -md5` etc. with key "chronowatch" (RFC 5905 §7.3: H(key || msg));
// `openssl mac -cipher AES-128-CBC -macopt hexkey:0001…0f CMAC` (RFC 8573);
// `openssl mac -digest SHA256 -macopt key:chronowatch HMAC` (seed 001).
const KnownAnswer kKnownAnswers[] = {
    {KeyType::md5, "9ad5cc0322d74d708e6f40cef0cd9095"},
    {KeyType::sha1, "d23f790b61f1eb0a4fc34a82b4c12738193f0eeb"},
    {KeyType::sha256, "a604d84e1122d10e3b19b56bd46e97f6d3f22d145a167feb9127df4ab2657415"},
    {KeyType::sha384,
     "1a59c6ff944b09b95a4d34857069c483d9dcb79782f13e158a52fa23e55533543b05615db91105cb1ec5abed502ef"
     "4ae"},
    {KeyType::sha512,
     "3393dfefcfbe424375fdd6d12478c1abd5c41a2b16968d90557c29dbd7779626"
     "ee94d2ed0e86b9551f6c265e286a62e681dde9ec70af4361ab1f685ba79750bc"},
    {KeyType::aes128, "234ef52b98bcbe983bffe94e4488a8b5"},
    {KeyType::aes256, "17fdf7bc569f1e05d3522167c483bef7"},
    {KeyType::hmac_sha256, "3f839debabb3badbea3df203d6267440e327343b5de42d862d2613c6058f7749"},
};

TEST(Mac, KnownAnswerForEveryKeyType) {
  for (const auto& answer : kKnownAnswers) {
    const auto k = key(answer.type);
    EXPECT_EQ(full_digest(k, kRequest), answer.digest) << name(answer.type);
    EXPECT_EQ(full_digest_size(answer.type) * 2, std::string_view(answer.digest).size());
  }
}

TEST(Mac, AesCmacMatchesRfc4493Example1) {
  const auto k =
      Key::make(KeyId{1}, KeyType::aes128, hex("2b7e151628aed2a6abf7158809cf4f3c")).value();
  EXPECT_EQ(full_digest(k, {}), "bb1d6929e95937287fa37d129b756746");
}

// Each thread keeps its own working copy of a keyed MAC context (ntp/keys.cpp): repeated and
// interleaved digests, more keys than a thread keeps copies of, and other threads all still get
// the known answers.
TEST(Mac, KnownAnswersHoldWhenDigestsRepeatInterleaveAndComeFromManyKeysAndThreads) {
  std::vector<Key> keys;
  for (std::uint32_t id = 1; id <= 40; ++id)
    keys.push_back(key(id % 2 == 0 ? KeyType::aes128 : KeyType::hmac_sha256, id));
  const std::string aes128 = "234ef52b98bcbe983bffe94e4488a8b5";
  const std::string hmac = "3f839debabb3badbea3df203d6267440e327343b5de42d862d2613c6058f7749";
  auto check_all = [&] {
    for (int round = 0; round < 3; ++round)
      for (const auto& k : keys)
        ASSERT_EQ(full_digest(k, kRequest), k.type() == KeyType::aes128 ? aes128 : hmac);
  };
  check_all();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(check_all);
  for (auto& thread : threads) thread.join();
  keys.clear();  // a reload: new engines, perhaps at the old addresses
  keys.push_back(key(KeyType::aes256, 7));
  EXPECT_EQ(full_digest(keys[0], kRequest), "17fdf7bc569f1e05d3522167c483bef7");
}

TEST(Mac, NtpV4CarriesAtMostTwentyBytesOfDigestAsChronydDoes) {
  for (const auto& answer : kKnownAnswers) {
    const auto k = key(answer.type);
    const auto mac = compute_mac(k, kRequest, 4);
    const auto expected = std::string(answer.digest).substr(0, 40);  // first ≤ 20 bytes
    EXPECT_EQ(to_hex(mac.view()), expected) << name(answer.type);
    EXPECT_EQ(to_hex(compute_mac(k, kRequest, 3).view()), answer.digest) << "NTPv3 is untruncated";
  }
}

TEST(Mac, VerifyAcceptsExactlyTheLengthChronydExpects) {
  const auto k = key(KeyType::sha256);
  const auto full = hex(kKnownAnswers[2].digest);
  const auto truncated = std::span(full).first(20);
  EXPECT_TRUE(verify_mac(k, kRequest, truncated, 4));
  EXPECT_TRUE(verify_mac(k, kRequest, full, 4)) << "a long MAC in NTPv4 is checked whole";
  EXPECT_TRUE(verify_mac(k, kRequest, full, 3));
  EXPECT_FALSE(verify_mac(k, kRequest, truncated, 3)) << "NTPv3 needs the whole digest";
  EXPECT_FALSE(verify_mac(k, kRequest, std::span(full).first(16), 4));
  EXPECT_FALSE(verify_mac(k, kRequest, std::span(full).first(24), 4));
  const auto md5 = key(KeyType::md5);
  EXPECT_TRUE(verify_mac(md5, kRequest, hex(kKnownAnswers[0].digest), 4));
}

TEST(Mac, AppendedTrailerIsKeyIdAndDigest) {
  std::array<std::byte, 128> buffer{};
  std::copy(kRequest.begin(), kRequest.end(), buffer.begin());
  const auto k = key(KeyType::sha1, 0x2a);
  const auto size = append_mac(k, buffer, 48);
  ASSERT_EQ(size, 48u + 4 + 20);
  EXPECT_EQ(to_hex(std::span(buffer).subspan(48, 24)),
            "0000002a"
            "d23f790b61f1eb0a4fc34a82b4c12738193f0eeb");
}

TEST(Mac, Seed001SchemeIsHmacSha256TruncatedToTwentyBytesWithKeyIdOne) {
  const auto k = key_from_secret("chronowatch", "").value();
  EXPECT_EQ(k.id(), KeyId{1});
  EXPECT_EQ(k.type(), KeyType::hmac_sha256);
  std::array<std::byte, 128> buffer{};
  std::copy(kRequest.begin(), kRequest.end(), buffer.begin());
  ASSERT_EQ(append_mac(k, buffer, 48), 72u);
  EXPECT_EQ(to_hex(std::span(buffer).subspan(48, 24)),
            "00000001"
            "3f839debabb3badbea3df203d6267440e327343b");
}

TEST(Mac, AppendRefusesWhatIsNotAPacketOrDoesNotFit) {
  std::array<std::byte, 60> buffer{};
  std::copy(kRequest.begin(), kRequest.end(), buffer.begin());
  EXPECT_EQ(append_mac(key(KeyType::md5), buffer, 48), 0u) << "needs 20 more bytes, has 12";
  EXPECT_EQ(append_mac(key(KeyType::md5), buffer, 40), 0u);
  EXPECT_EQ(append_mac(key(KeyType::md5), buffer, 61), 0u);
  EXPECT_EQ(append_crypto_nak(buffer, 48), 52u);
  EXPECT_EQ(to_hex(std::span(buffer).subspan(48, 4)), "00000000");
}

class SignedPacket : public ::testing::Test {
 protected:
  void SetUp() override {
    std::copy(kRequest.begin(), kRequest.end(), buffer.begin());
    ASSERT_TRUE(keys.add(key(KeyType::aes128, 7)));
    ASSERT_TRUE(keys.add(key(KeyType::sha512, 9)));
  }
  std::span<const std::byte> sign(std::uint32_t id) {
    size = append_mac(*keys.find(KeyId{id}), buffer, 48);
    return std::span(buffer).first(size);
  }
  std::array<std::byte, 200> buffer{};
  std::size_t size = 0;
  KeyStore keys;
};

TEST_F(SignedPacket, ChecksAgainstTheStore) {
  for (const std::uint32_t id : {7u, 9u}) {
    const auto parsed = parse(sign(id)).value();
    const auto signer = check_mac(parsed, keys);
    ASSERT_TRUE(signer) << id << ": " << to_string(signer.error());
    EXPECT_EQ((*signer)->id(), KeyId{id});
    EXPECT_TRUE(check_mac(parsed, *keys.find(KeyId{id})));
  }
}

TEST_F(SignedPacket, AnyFlippedBitFails) {
  const auto wire = sign(9);
  for (std::size_t i = 0; i < wire.size(); ++i) {
    if (i >= 48 && i < 52) continue;  // the key id: flipping it names another key
    std::vector<std::byte> tampered(wire.begin(), wire.end());
    tampered[i] ^= std::byte{0x01};
    const auto parsed = parse(tampered);
    if (!parsed) continue;  // the version bits may make it unreadable: also a rejection
    EXPECT_EQ(check_mac(*parsed, keys).error(), AuthError::bad_mac) << "byte " << i;
  }
}

TEST_F(SignedPacket, NamesWhatIsWrong) {
  EXPECT_EQ(check_mac(parse(kRequest).value(), keys).error(), AuthError::no_mac);
  const auto nak_size = append_crypto_nak(buffer, 48);
  EXPECT_EQ(check_mac(parse(std::span(buffer).first(nak_size)).value(), keys).error(),
            AuthError::crypto_nak);
  const auto other = key(KeyType::aes128, 8);
  const auto signed_by_other = std::span(buffer).first(append_mac(other, buffer, 48));
  EXPECT_EQ(check_mac(parse(signed_by_other).value(), keys).error(), AuthError::unknown_key);
  EXPECT_EQ(check_mac(parse(sign(7)).value(), *keys.find(KeyId{9})).error(), AuthError::wrong_key);
  // Same id, different secret.
  const auto impostor =
      Key::make(KeyId{7}, KeyType::aes128, std::span(kAes256Secret).subspan(16)).value();
  const auto forged = std::span(buffer).first(append_mac(impostor, buffer, 48));
  EXPECT_EQ(check_mac(parse(forged).value(), keys).error(), AuthError::bad_mac);
  EXPECT_FALSE(to_string(AuthError::bad_mac).empty());
}

TEST(Keys, AesKeysMustHaveTheCipherLength) {
  EXPECT_FALSE(Key::make(KeyId{1}, KeyType::aes128, std::span(kAes256Secret)).has_value());
  EXPECT_FALSE(Key::make(KeyId{1}, KeyType::aes256, std::span(kAes128Secret)).has_value());
  EXPECT_EQ(Key::make(KeyId{1}, KeyType::aes128, std::span(kAes128Secret).first(10)).error(),
            "AES128 keys must be 128 bits (16 bytes), this one has 10");
  EXPECT_FALSE(Key::make(KeyId{1}, KeyType::sha1, {}).has_value());
}

TEST(Keys, StoreRefusesADuplicateId) {
  KeyStore store;
  EXPECT_TRUE(store.add(key(KeyType::md5, 3)));
  EXPECT_FALSE(store.add(key(KeyType::sha1, 3)));
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.find(KeyId{3})->type(), KeyType::md5);
  EXPECT_EQ(store.find(KeyId{4}), nullptr);
}

TEST(Keys, NamesRoundTrip) {
  for (const auto& answer : kKnownAnswers)
    EXPECT_EQ(key_type_from_name(name(answer.type)), answer.type);
  EXPECT_FALSE(key_type_from_name("sha256")) << "chrony's names are case-sensitive";
  EXPECT_FALSE(key_type_from_name("SHA3-256"));
}

}  // namespace
}  // namespace cw::ntp
