// ntp/extension_field.cpp — reading and writing NTPv4 extension fields (RFC 7822 §3).
#include "ntp/extension_field.h"

#include <algorithm>

#include "core/bytes.h"

namespace cw::ntp {

Result<ExtensionField, ParseError> read_extension_field(std::span<const std::byte> bytes) {
  ByteReader reader{bytes};
  const auto type = reader.u16();
  const auto length = reader.u16();
  if (!type || !length) return fail(ParseError::truncated_extension_field);
  if (*length < kMinExtensionFieldSize || *length % 4 != 0)
    return fail(ParseError::bad_extension_length);
  const auto body = reader.bytes(*length - kExtensionFieldHeaderSize);
  if (!body) return fail(ParseError::truncated_extension_field);
  return ExtensionField{*type, *body};
}

ExtensionField ExtensionFields::iterator::operator*() const {
  // The sequence was validated when it was built; a failure here is a broken invariant.
  return read_extension_field(rest_).value();
}

ExtensionFields::iterator& ExtensionFields::iterator::operator++() {
  rest_ = rest_.subspan((**this).wire_size());
  return *this;
}

std::optional<ExtensionField> ExtensionFields::find(std::uint16_t type) const {
  for (const auto field : *this)
    if (field.type == type) return field;
  return std::nullopt;
}

std::size_t extension_field_size(std::size_t value_size, std::size_t min_size) {
  const std::size_t padded = (kExtensionFieldHeaderSize + value_size + 3) / 4 * 4;
  return std::max({padded, min_size, kMinExtensionFieldSize});
}

std::size_t write_extension_field(std::span<std::byte> out, std::uint16_t type,
                                  std::span<const std::byte> value, std::size_t min_size) {
  const std::size_t size = extension_field_size(value.size(), (min_size + 3) / 4 * 4);
  if (size > kMaxExtensionFieldSize || size > out.size()) return 0;
  ByteWriter writer{out};
  writer.u16(type);
  writer.u16(static_cast<std::uint16_t>(size));
  writer.bytes(value);
  writer.zeros(size - kExtensionFieldHeaderSize - value.size());
  return writer.overflowed() ? 0 : writer.size();
}

}  // namespace cw::ntp
