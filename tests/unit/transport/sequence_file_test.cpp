// tests/unit/transport/sequence_file_test.cpp — the agent's sequence file: numbers continue
// across reopenings (agent restarts), a damaged file is refused with a message naming it, an
// unwritable place fails at start.
#include "transport/spool/sequence_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/temp_dir.h"

namespace cw::transport {
namespace {

class SequenceFileTest : public ::testing::Test {
 protected:
  cw::testing::TempDir temp_{"cw-seq"};
  std::filesystem::path file() const { return directory_ / "spool" / "sequence"; }

  std::filesystem::path directory_ = temp_.path();
};

TEST_F(SequenceFileTest, StartsAtOneAndContinuesAfterReopening) {
  {
    SequenceFile sequence(file());
    EXPECT_EQ(sequence.last(), 0u);
    EXPECT_EQ(sequence.next(), 1u);
    EXPECT_EQ(sequence.next(), 2u);
  }
  SequenceFile reopened(file());
  EXPECT_EQ(reopened.last(), 2u);
  EXPECT_EQ(reopened.next(), 3u);
  std::ifstream in(file());
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "3");
  EXPECT_FALSE(std::filesystem::exists(file().string() + ".tmp"));
}

TEST_F(SequenceFileTest, DamagedFileIsRefusedNamingIt) {
  std::filesystem::create_directories(file().parent_path());
  for (const char* junk :
       {"abc\n", "12x\n", "-1\n", "99999999999999999999999\n", "5\nxyz", "", "\n", " 7\n"}) {
    std::ofstream(file()) << junk;
    try {
      SequenceFile sequence(file());
      FAIL() << "accepted " << junk;
    } catch (const std::runtime_error& error) {
      EXPECT_NE(std::string(error.what()).find(file().string()), std::string::npos);
    }
  }
}

TEST_F(SequenceFileTest, UnusableDirectoryFailsAtStart) {
  std::ofstream(directory_ / "plain-file") << "x";
  EXPECT_ANY_THROW(SequenceFile(directory_ / "plain-file" / "sequence"));
}

}  // namespace
}  // namespace cw::transport
