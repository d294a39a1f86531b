// ntp/extension_field.h — NTPv4 extension fields (RFC 7822 §3): type, length, value, padding.
// Reading one field with bounds checks, a view over a validated sequence of fields, and writing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>

#include "core/result.h"
#include "ntp/parse_error.h"

namespace cw::ntp {

// RFC 7822 §3: every field is at least 16 octets (4-octet header + 12) and a multiple of 4 long.
inline constexpr std::size_t kExtensionFieldHeaderSize = 4;
inline constexpr std::size_t kMinExtensionFieldSize = 16;
// RFC 7822 §7.5: without a MAC after it, the last field should be at least 28 octets, so that a
// receiver cannot mistake it for a MAC (20–24 octets).
inline constexpr std::size_t kMinLastExtensionFieldSizeWithoutMac = 28;
inline constexpr std::size_t kMaxExtensionFieldSize = 0xfffc;

struct ExtensionField {
  std::uint16_t type = 0;
  // Value and padding: the field's Length minus its 4-byte header. The value's own length, if the
  // type has one, is the type's business (RFC 7822 §3 leaves padding to the type's definition).
  std::span<const std::byte> body;
  std::size_t wire_size() const { return kExtensionFieldHeaderSize + body.size(); }
};

// Reads the field at the start of `bytes`: rejects a Length under 16 or not a multiple of 4
// (bad_extension_length) and one longer than `bytes` (truncated_extension_field).
Result<ExtensionField, ParseError> read_extension_field(std::span<const std::byte> bytes);

// A sequence of fields that read_extension_field already accepted one after the other; iterating
// it never fails. Points into the datagram.
class ExtensionFields {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = ExtensionField;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = ExtensionField;

    iterator() = default;
    explicit iterator(std::span<const std::byte> rest) : rest_(rest) {}
    ExtensionField operator*() const;
    iterator& operator++();
    iterator operator++(int) {
      auto copy = *this;
      ++*this;
      return copy;
    }
    bool operator==(const iterator& other) const { return rest_.data() == other.rest_.data(); }

   private:
    std::span<const std::byte> rest_;
  };

  ExtensionFields() = default;
  // `validated` must be a sequence that read_extension_field accepts field after field.
  explicit ExtensionFields(std::span<const std::byte> validated, std::size_t count)
      : bytes_(validated), count_(count) {}

  iterator begin() const { return iterator{bytes_}; }
  iterator end() const { return iterator{bytes_.subspan(bytes_.size())}; }
  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::span<const std::byte> bytes() const { return bytes_; }
  std::optional<ExtensionField> find(std::uint16_t type) const;

 private:
  std::span<const std::byte> bytes_;
  std::size_t count_ = 0;
};

// The wire size of a field carrying `value_size` bytes: header + value, padded with zeros to a
// multiple of 4 and to at least `min_size`.
std::size_t extension_field_size(std::size_t value_size,
                                 std::size_t min_size = kMinExtensionFieldSize);

// Writes one field at the start of `out`; returns its size, or 0 if it does not fit in `out` or
// would be longer than a Length field can say.
std::size_t write_extension_field(std::span<std::byte> out, std::uint16_t type,
                                  std::span<const std::byte> value,
                                  std::size_t min_size = kMinExtensionFieldSize);

}  // namespace cw::ntp
