// core/ip_address.h — an IPv4 or IPv6 address as a small value type (16 bytes, IPv4 kept as
// ::ffff:a.b.c.d), comparable and hashable, for packet decoding, events and access lists.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace cw {

class IpAddress {
 public:
  constexpr IpAddress() = default;
  static IpAddress v4(std::uint32_t host_order);
  static IpAddress v6(const std::array<std::uint8_t, 16>& bytes);
  // "192.0.2.1", "2001:db8::1"; nullopt when it is neither.
  static std::optional<IpAddress> parse(std::string_view text);

  bool is_v4() const;
  std::uint32_t v4_host_order() const;  // meaningful only when is_v4()
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  std::string to_string() const;

  auto operator<=>(const IpAddress&) const = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

// An address prefix such as 10.0.0.0/8 or 2001:db8::/32, for allow and deny lists.
struct IpPrefix {
  IpAddress address;
  int length = 0;  // in bits of the address's own family (0–32 for IPv4, 0–128 for IPv6)
  static std::optional<IpPrefix> parse(std::string_view text);  // a bare address is a /32 or /128
  bool contains(const IpAddress& candidate) const;
};

}  // namespace cw

template <>
struct std::hash<cw::IpAddress> {
  std::size_t operator()(const cw::IpAddress& a) const noexcept;
};
