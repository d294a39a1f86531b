// events/binary_detail.h — internals of the binary codec shared by its .cpp files: the per-batch
// string back-reference table, and sticky-error encoder/decoder cursors over core/bytes.h.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/bytes.h"
#include "core/ip_address.h"
#include "core/time.h"
#include "events/decode_error.h"
#include "events/event.h"

namespace cw::events::wire {

// The first 64 distinct non-empty strings of a batch; later occurrences are sent as references.
inline constexpr std::size_t kStringTableSize = 64;

class StringTable {
 public:
  std::optional<std::size_t> find(std::string_view text) const {
    for (std::size_t i = 0; i < size_; ++i)
      if (entries_[i] == text) return i;
    return std::nullopt;
  }
  void add(std::string_view text) {
    if (!text.empty() && size_ < kStringTableSize) entries_[size_++] = text;
  }
  std::optional<std::string_view> at(std::size_t index) const {
    if (index >= size_) return std::nullopt;
    return entries_[index];
  }

 private:
  std::array<std::string_view, kStringTableSize> entries_{};
  std::size_t size_ = 0;
};

class Encoder {
 public:
  explicit Encoder(ByteWriter& writer) : w_(writer) {}
  ByteWriter& writer() { return w_; }
  void string(std::string_view text, std::size_t max = kMaxStringLength);  // may be a reference
  void plain_string(std::string_view text, std::size_t max);               // never a reference
  void duration(Duration d) { w_.svarint(d.count()); }
  void f64(double value);
  void address(const IpAddress& address);

 private:
  ByteWriter& w_;
  StringTable strings_;
};

// Every read returns a harmless zero value after the first error, which is kept; callers check
// ok() before trusting what they built.
class Decoder {
 public:
  explicit Decoder(std::span<const std::byte> input) : r_(input) {}
  bool ok() const { return !error_; }
  DecodeError error() const { return error_.value_or(DecodeError::truncated); }
  void fail(DecodeError error) {
    if (!error_) error_ = error;
  }
  std::size_t remaining() const { return r_.remaining(); }

  std::uint8_t u8();
  std::uint64_t varint();
  std::int64_t svarint();
  std::int64_t i64();
  double f64();
  Duration duration() { return Duration{svarint()}; }
  std::string_view string(std::size_t max = kMaxStringLength);
  std::string_view plain_string(std::size_t max);
  IpAddress address();
  // A count of items that each take at least `min_bytes`: over `max` is too_many, more than the
  // remaining input could hold is truncated (so no allocation follows a hostile count).
  std::size_t count(std::size_t max, std::size_t min_bytes);

 private:
  std::string_view take_string(std::size_t length, std::size_t max);
  ByteReader r_;
  StringTable strings_;
  std::optional<DecodeError> error_;
};

// Data kinds in the flags byte of an event (bits 3-4).
enum class DataKind : std::uint8_t { none = 0, clock = 1, network = 2, heartbeat = 3 };

DataKind data_kind(const EventData& data);
void encode_data(Encoder& encoder, const EventData& data);
EventData decode_data(Decoder& decoder, DataKind kind);
void encode_attributes(Encoder& encoder, const std::vector<Attribute>& attributes);
std::vector<Attribute> decode_attributes(Decoder& decoder);

// The most bytes an event's data and attributes can take, to size the output once.
std::size_t data_bound(const EventData& data);
std::size_t attributes_bound(const std::vector<Attribute>& attributes);

}  // namespace cw::events::wire
