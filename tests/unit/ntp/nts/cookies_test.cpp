// tests/unit/ntp/nts/cookies_test.cpp — server cookies (RFC 8915 §6): size, sealing and opening,
// tampering, rotation that keeps the current and previous keys, the key file's text.
#include "ntp/nts/cookies.h"

#include <gtest/gtest.h>

namespace cw::ntp::nts {
namespace {

MasterKey key(std::uint32_t id) {
  MasterKey k;
  k.id = id;
  for (std::size_t i = 0; i < k.secret.size(); ++i) k.secret[i] = std::byte(id * 31 + i);
  return k;
}

SessionKeys session(AeadId aead = AeadId::aes_siv_cmac_256) {
  SessionKeys s;
  s.aead = aead;
  for (std::size_t i = 0; i < key_size(aead); ++i) {
    s.c2s[i] = std::byte(i);
    s.s2c[i] = std::byte(0x80 + i);
  }
  return s;
}

const std::array<std::byte, kNonceSize> kNonce{std::byte{1}, std::byte{2}};

std::vector<std::byte> seal(const ServerCookies& cookies) {
  std::vector<std::byte> out(cookie_size(AeadId::aes_siv_cmac_256));
  EXPECT_EQ(cookies.seal(session(), kNonce, out), out.size());
  return out;
}

TEST(Cookies, AreAMultipleOfFourWithTheKeyIdInClear) {
  EXPECT_EQ(cookie_size(AeadId::aes_siv_cmac_256), 104u);
  ServerCookies cookies({key(0x01020304)});
  const auto cookie = seal(cookies);
  EXPECT_EQ(cookie[0], std::byte{1});
  EXPECT_EQ(cookie[3], std::byte{4});
  const auto opened = cookies.open(cookie).value();
  EXPECT_EQ(opened.c2s, session().c2s);
  EXPECT_EQ(opened.s2c, session().s2c);
  EXPECT_EQ(opened.aead, AeadId::aes_siv_cmac_256);
}

TEST(Cookies, CarryTheKeysOfAes512) {
  const SessionKeys keys = session(AeadId::aes_siv_cmac_512);
  ServerCookies cookies({key(7)});
  std::vector<std::byte> out(cookie_size(AeadId::aes_siv_cmac_512));
  EXPECT_EQ(out.size(), 168u);  // 4 key id + 16 nonce + 16 tag + 4 + 2 x 64 keys: 4 n
  ASSERT_EQ(cookies.seal(keys, kNonce, out), out.size());
  const auto opened = cookies.open(out).value();
  EXPECT_EQ(opened.aead, AeadId::aes_siv_cmac_512);
  EXPECT_EQ(opened.c2s, keys.c2s);
  EXPECT_EQ(opened.s2c, keys.s2c);
  out[40] ^= std::byte{1};
  EXPECT_FALSE(cookies.open(out));
}

TEST(Cookies, AnyFlippedByteOrWrongLengthIsRefused) {
  ServerCookies cookies({key(9)});
  auto cookie = seal(cookies);
  for (std::size_t i = 0; i < cookie.size(); ++i) {
    cookie[i] ^= std::byte{0x20};
    EXPECT_FALSE(cookies.open(cookie)) << i;
    cookie[i] ^= std::byte{0x20};
  }
  EXPECT_FALSE(cookies.open(std::span(cookie).first(100)));
  EXPECT_FALSE(cookies.open({}));
  std::vector<std::byte> small(50);
  EXPECT_EQ(cookies.seal(session(), kNonce, small), 0u);
}

TEST(Cookies, RotationKeepsTheCurrentAndThreePreviousKeys) {
  ServerCookies cookies({key(1)});
  const auto first = seal(cookies);
  cookies.rotate(key(2));
  EXPECT_EQ(cookies.current_id(), 2u);
  const auto second = seal(cookies);
  EXPECT_EQ(second[3], std::byte{2});
  cookies.rotate(key(3));
  cookies.rotate(key(4));
  EXPECT_TRUE(cookies.open(first));  // 1 is the third previous key
  cookies.rotate(key(5));
  EXPECT_FALSE(cookies.open(first));  // now dropped
  EXPECT_TRUE(cookies.open(second));
  EXPECT_EQ(cookies.keys().size(), 4u);
}

TEST(Cookies, ReplaceServesOnlyTheNewKeys) {
  ServerCookies cookies({key(1)});
  const auto old = seal(cookies);
  const auto generation = cookies.generation();
  cookies.replace({key(9), key(1)});
  EXPECT_GT(cookies.generation(), generation);  // what was cached under the old keys goes
  EXPECT_EQ(cookies.current_id(), 9u);
  EXPECT_TRUE(cookies.open(old));  // still in the new list
  EXPECT_EQ(seal(cookies)[3], std::byte{9});
  cookies.replace({key(10)});
  EXPECT_FALSE(cookies.open(old));
  EXPECT_EQ(cookies.keys().size(), 1u);
}

TEST(Cookies, KeyFileRoundTripsAndNamesBadLines) {
  ServerCookies cookies({key(7)});
  cookies.rotate(key(8));
  const auto text = format_key_file(cookies.keys());
  const auto parsed = parse_key_file(text).value();
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].id, 8u);
  EXPECT_EQ(parsed[1].secret, key(7).secret);
  EXPECT_NE(parse_key_file("1 abcd\n").error().find("line 1"), std::string::npos);
  EXPECT_FALSE(parse_key_file("x " + std::string(64, 'a')));
  EXPECT_FALSE(parse_key_file("# nothing\n"));
  EXPECT_FALSE(parse_key_file("99999999999 " + std::string(64, 'a')));
}

}  // namespace
}  // namespace cw::ntp::nts
