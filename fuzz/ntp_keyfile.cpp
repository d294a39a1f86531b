// Fuzz target: ntp/key_file.h parses any text without crashing, and every key it accepts signs a
// packet that the same key then verifies (and a flipped digest bit fails).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ntp/key_file.h"
#include "ntp/mac.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cw::ntp::decode_secret(text);
  const auto store = cw::ntp::parse_key_file(text);
  if (!store) {
    if (store.error().message.empty()) std::abort();
    return 0;
  }
  std::array<std::byte, cw::ntp::kMaxPacketSize> buffer{};
  const auto header = cw::ntp::serialize(cw::ntp::Packet{}, buffer);
  for (const auto& [id, key] : *store) {
    const auto signed_size = cw::ntp::append_mac(key, buffer, header);
    if (signed_size == 0) std::abort();
    const auto packet = cw::ntp::parse(std::span(buffer).first(signed_size));
    if (!packet || !cw::ntp::check_mac(*packet, *store)) std::abort();
    buffer[signed_size - 1] ^= std::byte{1};
    const auto tampered = cw::ntp::parse(std::span(buffer).first(signed_size));
    if (!tampered || cw::ntp::check_mac(*tampered, *store)) std::abort();
  }
  return 0;
}
