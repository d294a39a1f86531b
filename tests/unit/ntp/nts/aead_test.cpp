// tests/unit/ntp/nts/aead_test.cpp — AEAD_AES_SIV_CMAC_256 (RFC 5297) and _512 with literal
// vectors: the keys, associated data and plaintexts of RFC 5297 Appendix A in the AEAD form NTS
// uses (one associated-data component, then the nonce; RFC 5297 §6), as cross-checked between
// nettle, libaes_siv and miscreant; one AES-256 vector of nettle's testsuite; and the empty
// plaintext of every chrony request.
#include "ntp/nts/aead.h"

#include <gtest/gtest.h>

#include "../hex.h"

namespace cw::ntp::nts {
namespace {

using ntp::testing::hex;

struct Vector {
  AeadId aead;
  const char* key;
  const char* nonce;
  const char* associated;
  const char* plaintext;
  const char* expected;  // tag ‖ ciphertext
};

const Vector kVectors[] = {
    // RFC 5297 A.1's key, associated data and plaintext, with a one-byte nonce.
    {AeadId::aes_siv_cmac_256,
     "fffefdfc fbfaf9f8 f7f6f5f4 f3f2f1f0 f0f1f2f3 f4f5f6f7 f8f9fafb fcfdfeff", "02",
     "10111213 14151617 18191a1b 1c1d1e1f 20212223 24252627", "11223344 55667788 99aabbcc ddee",
     "7300cd9b 3f514a44 ed660db6 14157f59 f0382e23 ae0e6e62 27a03dd3 2619"},
    // RFC 5297 A.2's key, first associated data, nonce and plaintext.
    {AeadId::aes_siv_cmac_256,
     "7f7e7d7c 7b7a7978 77767574 73727170 40414243 44454647 48494a4b 4c4d4e4f",
     "09f91102 9d74e35b d84156c5 635688c0",
     "00112233 44556677 8899aabb ccddeeff deaddada deaddada ffeeddcc bbaa9988 77665544 33221100",
     "74686973 20697320 736f6d65 20706c61 696e7465 78742074 6f20656e 63727970 74207573 696e6720 "
     "5349562d 414553",
     "85825e22 e90cf2dd da2c548d c7c1b631 0dcdaca0 cebf9dc6 cb90583f 5bf1506e 02cd4883 2b00e4e5 "
     "98b2b22a 53e6199d 4df0c166 6a35a043 3b250dc1 34d776"},
    // A.1's key, no associated data, no plaintext: the tag alone (a chrony request's shape).
    {AeadId::aes_siv_cmac_256,
     "fffefdfc fbfaf9f8 f7f6f5f4 f3f2f1f0 f0f1f2f3 f4f5f6f7 f8f9fafb fcfdfeff", "01", "", "",
     "c696f84f df92aba3 c31c23d5 f2087513"},
    // AEAD_AES_SIV_CMAC_512 (AES-256), one associated data then the nonce: the vector of nettle's
    // testsuite (siv-cmac-test.c, "single AAD, length > 16", checked there against miscreant).
    {AeadId::aes_siv_cmac_512,
     "c27df2fd aec35d4a 2a412a50 c3e8c47d 2d568e91 a38e5414 8abdc0b6 e86caf87 695c0a8a df4c5f8e "
     "b2c6c8b1 36529864 f3b84b3a e8e3676c e760c461 f3a13e83",
     "09f91102 9d74e35b d84156c5 635688c0",
     "00112233 44556677 8899aabb ccddeeff deaddada deaddada ffeeddcc bbaa9988 77665544 33221100",
     "74686973 20697320 736f6d65 20706c61 696e7465 78742074 6f20656e 63727970 74207573 696e6720 "
     "5349562d 414553",
     "5a979b0d a58fde80 51621ae6 bf96feda 50933da8 047bc306 fabaf0c3 d9fa8471 c70a7def 39a2f91d "
     "68a2021c 99ac7e2a 24535a13 4ba23ec1 5787cebe 5c53cc"},
};

TEST(Aead, EncryptsTheLiteralVectors) {
  for (const auto& v : kVectors) {
    const auto aead = Aead::make(v.aead, hex(v.key)).value();
    const auto plaintext = hex(v.plaintext);
    std::vector<std::byte> out(plaintext.size() + kSivTagSize);
    ASSERT_TRUE(aead.encrypt(hex(v.nonce), hex(v.associated), plaintext, out));
    EXPECT_EQ(out, hex(v.expected)) << v.expected;
  }
}

TEST(Aead, DecryptsTheLiteralVectorsAndRefusesAnyFlippedBit) {
  for (const auto& v : kVectors) {
    const auto aead = Aead::make(v.aead, hex(v.key)).value();
    auto ciphertext = hex(v.expected);
    std::vector<std::byte> out(ciphertext.size() - kSivTagSize);
    ASSERT_TRUE(aead.decrypt(hex(v.nonce), hex(v.associated), ciphertext, out));
    EXPECT_EQ(out, hex(v.plaintext));
    for (std::size_t i = 0; i < ciphertext.size(); ++i) {
      ciphertext[i] ^= std::byte{0x01};
      EXPECT_FALSE(aead.decrypt(hex(v.nonce), hex(v.associated), ciphertext, out)) << i;
      ciphertext[i] ^= std::byte{0x01};
    }
    auto associated = hex(v.associated);
    associated.push_back(std::byte{0});
    EXPECT_FALSE(aead.decrypt(hex(v.nonce), associated, ciphertext, out));
    EXPECT_FALSE(aead.decrypt(hex("ff"), hex(v.associated), ciphertext, out));
  }
}

TEST(Aead, RefusesKeysOfTheWrongLengthAndShortBuffers) {
  EXPECT_FALSE(Aead::make(AeadId::aes_siv_cmac_256, hex("00 01 02")));
  EXPECT_FALSE(Aead::make(AeadId::aes_siv_cmac_256, std::vector<std::byte>(16)));
  EXPECT_FALSE(Aead::make(AeadId::aes_siv_cmac_256, std::vector<std::byte>(64)));
  EXPECT_FALSE(Aead::make(AeadId::aes_siv_cmac_512, std::vector<std::byte>(32)));
  const auto aead = Aead::make(AeadId::aes_siv_cmac_256, std::vector<std::byte>(32)).value();
  std::vector<std::byte> small(15);
  EXPECT_FALSE(aead.encrypt(hex("01"), {}, {}, small));
  EXPECT_FALSE(aead.decrypt(hex("01"), {}, small, small));
  std::vector<std::byte> out(16);
  EXPECT_FALSE(Aead{}.encrypt(hex("01"), {}, {}, out));
}

TEST(Aead, KnowsOnlyTheAlgorithmsItImplements) {
  EXPECT_EQ(aead_from_id(15), AeadId::aes_siv_cmac_256);
  EXPECT_EQ(aead_from_id(17), AeadId::aes_siv_cmac_512);
  EXPECT_FALSE(aead_from_id(16));  // AES-192: nettle has no SIV-CMAC over it
  EXPECT_FALSE(aead_from_id(30));
  EXPECT_EQ(name(AeadId::aes_siv_cmac_256), "AEAD_AES_SIV_CMAC_256");
  EXPECT_EQ(name(AeadId::aes_siv_cmac_512), "AEAD_AES_SIV_CMAC_512");
  EXPECT_EQ(key_size(AeadId::aes_siv_cmac_512), 64u);
}

}  // namespace
}  // namespace cw::ntp::nts
