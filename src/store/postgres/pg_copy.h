// store/postgres/pg_copy.h — PostgreSQL's binary COPY format, written (pure): the 19-byte header,
// one tuple per row (field count, then each field as a 32-bit length and its big-endian value),
// and the trailer (PostgreSQL docs, "COPY", Binary Format).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace cw::store::pg {

class CopyWriter {
 public:
  CopyWriter();  // writes the header
  void row(std::int16_t fields);
  void bytes(std::string_view value);
  void bytes(const std::byte* data, std::size_t size);
  void int64(std::int64_t value);
  void int32(std::int32_t value);
  void int16(std::int16_t value);
  void null();
  // The trailer, once; then the whole stream.
  const std::vector<std::byte>& finish();
  std::size_t rows() const { return rows_; }

 private:
  void be(std::uint64_t value, int size);
  std::vector<std::byte> out_;
  std::size_t rows_ = 0;
  bool finished_ = false;
};

}  // namespace cw::store::pg
