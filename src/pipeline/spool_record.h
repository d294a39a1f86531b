// pipeline/spool_record.h — the on-disk record format of the spool, pure: encoding one record and
// scanning a segment's bytes back into records, stopping at the first torn or corrupt one.
//
//   record := length:u32  id:u64  payload:length bytes  crc:u32     (big-endian)
//   crc    := CRC-32C over length, id and payload
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cw::pipeline {

inline constexpr std::size_t kSpoolRecordOverhead = 4 + 8 + 4;
inline constexpr std::uint32_t kSpoolMaxPayload = 16u << 20;  // larger records are refused

struct SpoolRecord {
  std::uint64_t id = 0;
  std::vector<std::byte> payload;
  bool operator==(const SpoolRecord&) const = default;
};

// Appends the encoded record to `out`.
void encode_spool_record(std::uint64_t id, std::span<const std::byte> payload,
                         std::vector<std::byte>& out);

enum class SegmentEnd {
  clean,    // every byte belonged to a whole, valid record
  torn,     // the last record is incomplete (a crash during a write): safe to truncate
  corrupt,  // a whole record failed its checksum, or ids went backwards: the rest is unreadable
};

struct SegmentScan {
  std::vector<SpoolRecord> records;
  std::size_t valid_bytes = 0;  // length of the prefix made of valid records
  SegmentEnd end = SegmentEnd::clean;
};

SegmentScan scan_spool_segment(std::span<const std::byte> bytes);

}  // namespace cw::pipeline
