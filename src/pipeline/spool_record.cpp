// pipeline/spool_record.cpp — encoding and scanning of spool records (see spool_record.h).
#include "pipeline/spool_record.h"

#include "core/bytes.h"
#include "core/crc32c.h"

namespace cw::pipeline {

void encode_spool_record(std::uint64_t id, std::span<const std::byte> payload,
                         std::vector<std::byte>& out) {
  const auto start = out.size();
  out.resize(start + kSpoolRecordOverhead + payload.size());
  ByteWriter writer{std::span{out}.subspan(start)};
  writer.u32(static_cast<std::uint32_t>(payload.size()));
  writer.u64(id);
  writer.bytes(payload);
  writer.u32(crc32c(writer.written()));
}

SegmentScan scan_spool_segment(std::span<const std::byte> bytes) {
  SegmentScan scan;
  ByteReader reader{bytes};
  std::uint64_t previous_id = 0;
  while (!reader.empty()) {
    const auto start = reader.position();
    const auto length = reader.u32();
    const auto id = reader.u64();
    if (!length || !id) return scan.end = SegmentEnd::torn, scan;
    if (*length > kSpoolMaxPayload) return scan.end = SegmentEnd::corrupt, scan;
    const auto payload = reader.bytes(*length);
    const auto crc = payload ? reader.u32() : std::nullopt;
    if (!crc) return scan.end = SegmentEnd::torn, scan;
    const auto covered = bytes.subspan(start, 12 + *length);
    if (crc32c(covered) != *crc || *id <= previous_id) return scan.end = SegmentEnd::corrupt, scan;
    scan.records.push_back({*id, {payload->begin(), payload->end()}});
    scan.valid_bytes = reader.position();
    previous_id = *id;
  }
  return scan;
}

}  // namespace cw::pipeline
