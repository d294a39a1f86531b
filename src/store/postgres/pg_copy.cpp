// store/postgres/pg_copy.cpp — the binary COPY stream (store/postgres/pg_copy.h).
#include "store/postgres/pg_copy.h"

#include <cstring>

namespace cw::store::pg {

CopyWriter::CopyWriter() {
  static constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // 11 bytes with its NUL
  out_.resize(11);
  std::memcpy(out_.data(), kSignature, 11);
  be(0, 4);  // flags: no OIDs
  be(0, 4);  // header extension length
}

void CopyWriter::be(std::uint64_t value, int size) {
  for (int shift = (size - 1) * 8; shift >= 0; shift -= 8)
    out_.push_back(static_cast<std::byte>((value >> shift) & 0xff));
}

void CopyWriter::row(std::int16_t fields) {
  be(static_cast<std::uint16_t>(fields), 2);
  ++rows_;
}

void CopyWriter::bytes(const std::byte* data, std::size_t size) {
  be(static_cast<std::uint32_t>(size), 4);
  out_.insert(out_.end(), data, data + size);
}

void CopyWriter::bytes(std::string_view value) {
  bytes(reinterpret_cast<const std::byte*>(value.data()), value.size());
}

void CopyWriter::int64(std::int64_t value) {
  be(8, 4);
  be(static_cast<std::uint64_t>(value), 8);
}

void CopyWriter::int32(std::int32_t value) {
  be(4, 4);
  be(static_cast<std::uint32_t>(value), 4);
}

void CopyWriter::int16(std::int16_t value) {
  be(2, 4);
  be(static_cast<std::uint16_t>(value), 2);
}

void CopyWriter::null() { be(0xffffffffu, 4); }

const std::vector<std::byte>& CopyWriter::finish() {
  if (!finished_) be(0xffffu, 2), finished_ = true;
  return out_;
}

}  // namespace cw::store::pg
