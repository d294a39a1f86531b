// core/ip_address.cpp — parsing, formatting and prefix matching for core/ip_address.h.
#include "core/ip_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace cw {
namespace {

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress a;
  std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), a.bytes_.begin());
  for (int i = 0; i < 4; ++i)
    a.bytes_[12 + i] = static_cast<std::uint8_t>(host_order >> (24 - 8 * i));
  return a;
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& bytes) {
  IpAddress a;
  a.bytes_ = bytes;
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton is pure (no I/O): it only parses the text.
  const std::string s(text);
  in_addr v4addr{};
  if (::inet_pton(AF_INET, s.c_str(), &v4addr) == 1) return v4(ntohl(v4addr.s_addr));
  std::array<std::uint8_t, 16> v6bytes{};
  if (::inet_pton(AF_INET6, s.c_str(), v6bytes.data()) == 1) return v6(v6bytes);
  return std::nullopt;
}

bool IpAddress::is_v4() const {
  return std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes_.begin());
}

std::uint32_t IpAddress::v4_host_order() const {
  return std::uint32_t{bytes_[12]} << 24 | std::uint32_t{bytes_[13]} << 16 |
         std::uint32_t{bytes_[14]} << 8 | bytes_[15];
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (is_v4()) {
    ::inet_ntop(AF_INET, bytes_.data() + 12, text, sizeof text);
  } else {
    ::inet_ntop(AF_INET6, bytes_.data(), text, sizeof text);
  }
  return text;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  const int max_length = address->is_v4() ? 32 : 128;
  int length = max_length;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (error != std::errc{} || end != digits.data() + digits.size() || length < 0 ||
        length > max_length)
      return std::nullopt;
  }
  return IpPrefix{*address, length};
}

bool IpPrefix::contains(const IpAddress& candidate) const {
  if (candidate.is_v4() != address.is_v4()) return false;
  const int bits = address.is_v4() ? 96 + length : length;
  const auto& a = address.bytes();
  const auto& b = candidate.bytes();
  const int whole = bits / 8;
  if (std::memcmp(a.data(), b.data(), static_cast<std::size_t>(whole)) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace cw

std::size_t std::hash<cw::IpAddress>::operator()(const cw::IpAddress& a) const noexcept {
  std::uint64_t high = 0, low = 0;
  std::memcpy(&high, a.bytes().data(), 8);
  std::memcpy(&low, a.bytes().data() + 8, 8);
  return std::hash<std::uint64_t>{}(high * 0x9e3779b97f4a7c15ull ^ low);
}
