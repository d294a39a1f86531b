// Fuzz target: NTS server cookies (RFC 8915 §6) and the cookie key file. open() never reads past
// its input and never accepts bytes that were not sealed under a kept key (flipping any byte of a
// real cookie is refused); parse_key_file either names a line or returns keys that round-trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "ntp/nts/cookies.h"

using namespace cw::ntp::nts;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ServerCookies cookies{[] {
    MasterKey k;
    k.id = 7;
    k.secret.fill(std::byte{9});
    return std::vector{k};
  }()};
  std::vector<std::byte> bytes(size);
  if (size) std::memcpy(bytes.data(), data, size);
  if (cookies.open(bytes)) std::abort();  // forging a cookie is forging SIV

  // A real cookie with the input xored in: only an all-zero change opens.
  SessionKeys keys;
  std::vector<std::byte> cookie(cookie_size(keys.aead));
  const std::array<std::byte, kNonceSize> nonce{};
  if (cookies.seal(keys, nonce, cookie) != cookie.size()) std::abort();
  bool changed = false;
  for (std::size_t i = 0; i < bytes.size() && i < cookie.size(); ++i) {
    cookie[i] ^= bytes[i];
    changed |= bytes[i] != std::byte{0};
  }
  if (cookies.open(cookie).has_value() == changed) std::abort();

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto parsed = parse_key_file(text)) {
    const auto again = parse_key_file(format_key_file(*parsed));
    if (!again || again->size() != parsed->size()) std::abort();
  }
  return 0;
}
