// core/bytes.h — bounds-checked big-endian reading and writing over byte spans, and LEB128
// varints. Every wire format in chronowatch is encoded through these: no packed-struct casts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace cw {

// Reads from a span; every read that would pass the end returns nullopt and leaves the reader
// where it was, so a parser can say which field was short.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> bytes) : bytes_(bytes) {}

  std::size_t position() const { return position_; }
  std::size_t remaining() const { return bytes_.size() - position_; }
  bool empty() const { return remaining() == 0; }

  std::optional<std::uint8_t> u8() { return read_be<std::uint8_t>(); }
  std::optional<std::uint16_t> u16() { return read_be<std::uint16_t>(); }
  std::optional<std::uint32_t> u32() { return read_be<std::uint32_t>(); }
  std::optional<std::uint64_t> u64() { return read_be<std::uint64_t>(); }

  std::optional<std::span<const std::byte>> bytes(std::size_t count) {
    if (count > remaining()) return std::nullopt;
    auto out = bytes_.subspan(position_, count);
    position_ += count;
    return out;
  }

  std::optional<std::uint64_t> varint();  // unsigned LEB128, at most 10 bytes
  std::optional<std::int64_t> svarint();  // zig-zag LEB128

 private:
  template <typename T>
  std::optional<T> read_be() {
    if (sizeof(T) > remaining()) return std::nullopt;
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
      value = static_cast<T>((value << 8) | static_cast<T>(bytes_[position_ + i]));
    position_ += sizeof(T);
    return value;
  }

  std::span<const std::byte> bytes_;
  std::size_t position_ = 0;
};

// Writes into a caller-owned span; a write past the end sets overflowed() and writes nothing, so
// an encoder can write everything and check once.
class ByteWriter {
 public:
  explicit ByteWriter(std::span<std::byte> out) : out_(out) {}

  std::size_t size() const { return position_; }
  bool overflowed() const { return overflowed_; }
  std::span<std::byte> written() const { return out_.first(position_); }

  void u8(std::uint8_t v) { write_be(v); }
  void u16(std::uint16_t v) { write_be(v); }
  void u32(std::uint32_t v) { write_be(v); }
  void u64(std::uint64_t v) { write_be(v); }
  void bytes(std::span<const std::byte> data);
  void string(std::string_view text) { bytes(std::as_bytes(std::span{text.data(), text.size()})); }
  void zeros(std::size_t count);
  void varint(std::uint64_t v);
  void svarint(std::int64_t v);

 private:
  template <typename T>
  void write_be(T value) {
    if (!reserve(sizeof(T))) return;
    for (std::size_t i = 0; i < sizeof(T); ++i)
      out_[position_ + i] = static_cast<std::byte>(value >> (8 * (sizeof(T) - 1 - i)));
    position_ += sizeof(T);
  }
  bool reserve(std::size_t count);

  std::span<std::byte> out_;
  std::size_t position_ = 0;
  bool overflowed_ = false;
};

}  // namespace cw
