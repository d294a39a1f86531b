// Unit tests for transport/spool.h on real files in a temporary directory: order, acks, restarts,
// torn and corrupt segments, and the bound.
#include "transport/spool/spool.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <string>

#include "support/temp_dir.h"

namespace cw::transport {
namespace {

namespace fs = std::filesystem;

std::vector<std::byte> bytes_of(const std::string& text) {
  const auto* first = reinterpret_cast<const std::byte*>(text.data());
  return {first, first + text.size()};
}

std::string text_of(const pipeline::SpoolRecord& record) {
  return {reinterpret_cast<const char*>(record.payload.data()), record.payload.size()};
}

class SpoolTest : public ::testing::Test {
 protected:
  cw::testing::TempDir temp_{"cw-spool"};

  SpoolOptions options(std::uint64_t max_bytes = 1 << 20, std::uint64_t segment_bytes = 1 << 16) {
    return SpoolOptions{directory_, max_bytes, segment_bytes, FsyncPolicy::batch};
  }
  std::vector<fs::path> segment_files() const {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(directory_))
      if (e.path().filename().string().starts_with("segment-")) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
  }

  fs::path directory_ = temp_.path();
};

TEST_F(SpoolTest, GivesIncreasingIdsAndPeeksInOrder) {
  Spool spool{options()};
  EXPECT_EQ(spool.append(bytes_of("a")), 1u);
  EXPECT_EQ(spool.append(bytes_of("b")), 2u);
  EXPECT_EQ(spool.append(bytes_of("c")), 3u);
  const auto all = spool.peek(0, 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(text_of(all[0]), "a");
  EXPECT_EQ(text_of(all[2]), "c");
  const auto after_first = spool.peek(1, 1);
  ASSERT_EQ(after_first.size(), 1u);
  EXPECT_EQ(after_first[0].id, 2u);
}

TEST_F(SpoolTest, AcknowledgedRecordsAreForgotten) {
  Spool spool{options()};
  for (auto s : {"a", "b", "c"}) spool.append(bytes_of(s));
  spool.acknowledge(2);
  const auto rest = spool.peek(0, 10);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].id, 3u);
  EXPECT_EQ(spool.stats().pending_records, 1u);
}

TEST_F(SpoolTest, PendingRecordsAndIdsSurviveARestart) {
  {
    Spool spool{options()};
    for (auto s : {"a", "b", "c"}) spool.append(bytes_of(s));
    spool.acknowledge(1);
  }
  Spool reopened{options()};
  const auto pending = reopened.peek(0, 10);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(text_of(pending[0]), "b");
  EXPECT_EQ(reopened.append(bytes_of("d")), 4u);
}

TEST_F(SpoolTest, IdsSurviveEvenWhenEverythingWasDeliveredAndDeleted) {
  {
    Spool spool{options(1 << 20, 64)};
    for (int i = 0; i < 20; ++i) spool.append(bytes_of("record"));
    spool.acknowledge(20);
  }
  Spool reopened{options()};
  EXPECT_TRUE(reopened.peek(0, 10).empty());
  EXPECT_EQ(reopened.next_id(), 21u);
}

TEST_F(SpoolTest, ATornLastRecordIsCutOffAndTheRestKept) {
  {
    Spool spool{options()};
    for (auto s : {"first", "second", "third"}) spool.append(bytes_of(s));
  }
  const auto file = segment_files().back();
  fs::resize_file(file, fs::file_size(file) - 3);  // a crash in the middle of writing "third"
  Spool reopened{options()};
  const auto pending = reopened.peek(0, 10);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(text_of(pending[1]), "second");
  EXPECT_EQ(reopened.stats().corrupt_records, 0u);
  EXPECT_EQ(reopened.append(bytes_of("again")), 3u);
}

TEST_F(SpoolTest, ACorruptRecordIsCountedAndWhatPrecedesItKept) {
  {
    Spool spool{options()};
    for (auto s : {"first", "second", "third"}) spool.append(bytes_of(s));
  }
  const auto file = segment_files().back();
  std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
  stream.seekp(16 + 5 + 13);  // inside the payload of "second"
  stream.put('X');
  stream.close();
  Spool reopened{options()};
  const auto pending = reopened.peek(0, 10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(text_of(pending[0]), "first");
  EXPECT_EQ(reopened.stats().corrupt_records, 1u);
}

TEST_F(SpoolTest, WhenFullTheOldestSegmentIsDroppedAndCounted) {
  // Each record is 16 + 10 bytes; segments hold 2 records; the spool holds at most 5.
  Spool spool{options(/*max_bytes=*/130, /*segment_bytes=*/52)};
  for (int i = 0; i < 8; ++i) spool.append(bytes_of("0123456789"));
  const auto stats = spool.stats();
  EXPECT_LE(stats.pending_bytes, 130u);
  EXPECT_EQ(stats.dropped_when_full + stats.pending_records, 8u);
  EXPECT_GT(stats.dropped_when_full, 0u);
  EXPECT_EQ(spool.peek(0, 100).back().id, 8u);  // the newest is always kept
}

TEST_F(SpoolTest, DeliveredSegmentsAreDeleted) {
  Spool spool{options(1 << 20, /*segment_bytes=*/40)};  // two 17-byte records per segment
  for (int i = 0; i < 10; ++i) spool.append(bytes_of("x"));
  EXPECT_GE(segment_files().size(), 5u);
  spool.acknowledge(10);
  EXPECT_EQ(segment_files().size(), 1u);  // only the one being written remains
}

TEST_F(SpoolTest, RefusesOversizedRecordsAndUnusableDirectories) {
  Spool spool{options()};
  std::vector<std::byte> huge(pipeline::kSpoolMaxPayload + 1);
  EXPECT_THROW(spool.append(huge), std::invalid_argument);
  const auto not_a_directory = directory_ / "file";
  std::ofstream(not_a_directory) << "x";
  EXPECT_THROW(Spool(SpoolOptions{not_a_directory}), std::runtime_error);
}

TEST(SpoolRecord, ScanStopsAtTornAndCorruptRecords) {
  std::vector<std::byte> bytes;
  pipeline::encode_spool_record(1, bytes_of("one"), bytes);
  pipeline::encode_spool_record(2, bytes_of("two"), bytes);
  EXPECT_EQ(pipeline::scan_spool_segment(bytes).records.size(), 2u);
  EXPECT_EQ(pipeline::scan_spool_segment(bytes).end, pipeline::SegmentEnd::clean);
  auto torn = std::span{bytes}.first(bytes.size() - 1);
  EXPECT_EQ(pipeline::scan_spool_segment(torn).end, pipeline::SegmentEnd::torn);
  EXPECT_EQ(pipeline::scan_spool_segment(torn).records.size(), 1u);
  std::vector<std::byte> backwards;
  pipeline::encode_spool_record(5, bytes_of("five"), backwards);
  pipeline::encode_spool_record(4, bytes_of("four"), backwards);
  EXPECT_EQ(pipeline::scan_spool_segment(backwards).end, pipeline::SegmentEnd::corrupt);
}

}  // namespace
}  // namespace cw::transport
