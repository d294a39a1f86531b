// events/binary_cursor.cpp — the primitive fields of the binary wire format (docs/wire-format.md
// §2): varints, doubles, strings with back-references, and IP addresses.
#include <bit>

#include "events/binary_detail.h"

namespace cw::events::wire {
namespace {

std::string_view clip(std::string_view text, std::size_t max) {
  return text.size() > max ? text.substr(0, max) : text;
}

std::span<const std::byte> as_bytes(std::string_view text) {
  return std::as_bytes(std::span{text.data(), text.size()});
}

}  // namespace

void Encoder::string(std::string_view text, std::size_t max) {
  text = clip(text, max);
  if (auto index = strings_.find(text)) {
    w_.varint((static_cast<std::uint64_t>(*index) << 1) | 1);
    return;
  }
  w_.varint(static_cast<std::uint64_t>(text.size()) << 1);
  w_.bytes(as_bytes(text));
  strings_.add(text);
}

void Encoder::plain_string(std::string_view text, std::size_t max) {
  text = clip(text, max);
  w_.varint(text.size());
  w_.bytes(as_bytes(text));
}

void Encoder::f64(double value) { w_.u64(std::bit_cast<std::uint64_t>(value)); }

void Encoder::address(const IpAddress& address) {
  if (address.is_v4()) {
    w_.u8(4);
    w_.u32(address.v4_host_order());
    return;
  }
  w_.u8(6);
  w_.bytes(std::as_bytes(std::span{address.bytes()}));
}

std::uint8_t Decoder::u8() {
  auto value = r_.u8();
  if (!value) fail(DecodeError::truncated);
  return ok() ? *value : 0;
}

std::uint64_t Decoder::varint() {
  auto value = r_.varint();
  if (!value) fail(DecodeError::truncated);
  return ok() ? *value : 0;
}

std::int64_t Decoder::svarint() {
  auto value = r_.svarint();
  if (!value) fail(DecodeError::truncated);
  return ok() ? *value : 0;
}

std::int64_t Decoder::i64() {
  auto value = r_.u64();
  if (!value) fail(DecodeError::truncated);
  return ok() ? static_cast<std::int64_t>(*value) : 0;
}

double Decoder::f64() {
  auto value = r_.u64();
  if (!value) fail(DecodeError::truncated);
  return ok() ? std::bit_cast<double>(*value) : 0.0;
}

std::string_view Decoder::take_string(std::size_t length, std::size_t max) {
  if (length > max) fail(DecodeError::too_long);
  if (!ok()) return {};
  auto bytes = r_.bytes(length);
  if (!bytes) {
    fail(DecodeError::truncated);
    return {};
  }
  return {reinterpret_cast<const char*>(bytes->data()), bytes->size()};
}

std::string_view Decoder::string(std::size_t max) {
  const auto head = varint();
  if (!ok()) return {};
  if (head & 1) {
    auto text = strings_.at(static_cast<std::size_t>(head >> 1));
    if (!text) fail(DecodeError::bad_string_ref);
    return text.value_or(std::string_view{});
  }
  auto text = take_string(static_cast<std::size_t>(head >> 1), max);
  strings_.add(text);
  return text;
}

std::string_view Decoder::plain_string(std::size_t max) {
  const auto length = varint();
  if (length > max) fail(DecodeError::too_long);
  return ok() ? take_string(static_cast<std::size_t>(length), max) : std::string_view{};
}

IpAddress Decoder::address() {
  const auto family = u8();
  if (!ok()) return {};
  if (family == 4) {
    auto v4 = r_.u32();
    if (!v4) fail(DecodeError::truncated);
    return ok() ? IpAddress::v4(*v4) : IpAddress{};
  }
  if (family != 6) {
    fail(DecodeError::bad_address);
    return {};
  }
  auto raw = r_.bytes(16);
  if (!raw) {
    fail(DecodeError::truncated);
    return {};
  }
  std::array<std::uint8_t, 16> bytes{};
  for (std::size_t i = 0; i < 16; ++i) bytes[i] = static_cast<std::uint8_t>((*raw)[i]);
  return IpAddress::v6(bytes);
}

std::size_t Decoder::count(std::size_t max, std::size_t min_bytes) {
  const auto n = varint();
  if (!ok()) return 0;
  if (n > max) {
    fail(DecodeError::too_many);
    return 0;
  }
  if (n * min_bytes > remaining()) {
    fail(DecodeError::truncated);
    return 0;
  }
  return static_cast<std::size_t>(n);
}

}  // namespace cw::events::wire
