// Unit tests for apps/common/key_loading.h: a real keyfile on disk with chrony's permission rule
// (no access for other users), its error messages, and the NTP_SECRET_KEY/NTP_KEY_TYPE environment
// key.
#include "apps/common/key_loading.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "support/temp_dir.h"

namespace cw::apps {
namespace {

class KeyFileOnDisk : public ::testing::Test {
 protected:
  cw::testing::TempDir temp_{"cw-keyfile"};
  std::filesystem::path write(const std::string& text, unsigned mode) {
    const auto path = dir_ / "chrony.keys";
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
  std::string error_of(const std::filesystem::path& path) {
    try {
      load_key_file(path);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "no error";
  }
  std::filesystem::path dir_ = temp_.path();
};

TEST_F(KeyFileOnDisk, LoadsAPrivateFile) {
  const auto store = load_key_file(
      write("1 SHA256 HEX:0011\n2 AES128 HEX:000102030405060708090a0b0c0d0e0f\n", 0600));
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.find(ntp::KeyId{2})->type(), ntp::KeyType::aes128);
  EXPECT_EQ(load_key_file(write("1 MD5 x\n", 0640)).size(), 1u)
      << "group-readable is what Debian ships";
}

TEST_F(KeyFileOnDisk, RefusesAWorldReadableFile) {
  const auto path = write("1 MD5 x\n", 0644);
  EXPECT_EQ(error_of(path), "refusing keyfile " + path.string() +
                                ": every user may read it (mode 0644); run 'chmod o-rwx " +
                                path.string() + "'");
}

TEST_F(KeyFileOnDisk, RefusesAWorldWritableFile) {
  EXPECT_NE(error_of(write("1 MD5 x\n", 0602)).find("every user may write it (mode 0602)"),
            std::string::npos);
}

TEST_F(KeyFileOnDisk, NamesTheFileAndLineOfABadKey) {
  const auto path = write("# ok\n1 MD5 x\n2 SHA1 HEX:zz\n", 0600);
  EXPECT_EQ(error_of(path), "keyfile " + path.string() +
                                " line 3: bad hex (not a hex digit at position 1) in key 2");
}

TEST_F(KeyFileOnDisk, SaysWhenTheFileIsMissing) {
  EXPECT_EQ(error_of(dir_ / "absent"), "cannot read keyfile " + (dir_ / "absent").string() +
                                           ": it does not exist or is not accessible");
  EXPECT_EQ(error_of(dir_), "keyfile " + dir_.string() + " is not a regular file");
}

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(KeyFromEnvironment, NoSecretNoKey) {
  EXPECT_FALSE(key_from_environment(fake_env({})));
  EXPECT_FALSE(key_from_environment(fake_env({{"NTP_SECRET_KEY", ""}})));
}

TEST(KeyFromEnvironment, SecretMakesKeyOneOfTheNamedType) {
  const auto hmac = key_from_environment(fake_env({{"NTP_SECRET_KEY", "s3cret"}}));
  ASSERT_TRUE(hmac);
  EXPECT_EQ(hmac->id(), ntp::KeyId{1});
  EXPECT_EQ(hmac->type(), ntp::KeyType::hmac_sha256);
  const auto sha1 =
      key_from_environment(fake_env({{"NTP_SECRET_KEY", "s3cret"}, {"NTP_KEY_TYPE", "SHA1"}}));
  EXPECT_EQ(sha1->type(), ntp::KeyType::sha1);
}

TEST(KeyFromEnvironment, ABadTypeIsAClearError) {
  try {
    key_from_environment(fake_env({{"NTP_SECRET_KEY", "s"}, {"NTP_KEY_TYPE", "rot13"}}));
    FAIL() << "accepted an unknown type";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "NTP_SECRET_KEY/NTP_KEY_TYPE: unknown key type 'rot13' (expected one of MD5, SHA1, "
              "SHA256, SHA384, "
              "SHA512, AES128, AES256, HMAC-SHA256)");
  }
}

}  // namespace
}  // namespace cw::apps
