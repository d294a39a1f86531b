// core/bytes.cpp — varints and bulk writes for core/bytes.h.
#include "core/bytes.h"

#include <algorithm>

namespace cw {

std::optional<std::uint64_t> ByteReader::varint() {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    if (position_ + i >= bytes_.size()) return std::nullopt;
    const auto byte = static_cast<std::uint8_t>(bytes_[position_ + i]);
    if (i == 9 && byte > 1) return std::nullopt;  // more than 64 bits
    value |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      position_ += i + 1;
      return value;
    }
  }
  return std::nullopt;
}

std::optional<std::int64_t> ByteReader::svarint() {
  auto raw = varint();
  if (!raw) return std::nullopt;
  return static_cast<std::int64_t>((*raw >> 1) ^ (~(*raw & 1) + 1));
}

bool ByteWriter::reserve(std::size_t count) {
  if (overflowed_ || count > out_.size() - position_) {
    overflowed_ = true;
    return false;
  }
  return true;
}

void ByteWriter::bytes(std::span<const std::byte> data) {
  if (!reserve(data.size())) return;
  std::copy(data.begin(), data.end(), out_.begin() + static_cast<std::ptrdiff_t>(position_));
  position_ += data.size();
}

void ByteWriter::zeros(std::size_t count) {
  if (!reserve(count)) return;
  std::fill_n(out_.begin() + static_cast<std::ptrdiff_t>(position_), count, std::byte{0});
  position_ += count;
}

void ByteWriter::varint(std::uint64_t v) {
  do {
    auto byte = static_cast<std::uint8_t>(v & 0x7f);
    v >>= 7;
    if (v != 0) byte |= 0x80;
    u8(byte);
  } while (v != 0 && !overflowed_);
}

void ByteWriter::svarint(std::int64_t v) {
  varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

}  // namespace cw
