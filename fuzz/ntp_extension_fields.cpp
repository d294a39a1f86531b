// Fuzz target: RFC 7822 extension fields. read_extension_field never reads past its input; every
// field it accepts is rewritten byte for byte by write_extension_field; and the same bytes behind
// an NTPv4 header either parse into fields that iterate consistently or are rejected with a reason.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ntp/extension_field.h"
#include "ntp/packet.h"

namespace {

void check_rewrite(const cw::ntp::ExtensionField& field, std::span<const std::byte> original) {
  std::vector<std::byte> out(field.wire_size());
  const auto size = cw::ntp::write_extension_field(out, field.type, field.body);
  if (size != field.wire_size()) std::abort();
  if (std::memcmp(out.data(), original.data(), size) != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(size);
  if (size) std::memcpy(bytes.data(), data, size);

  std::span<const std::byte> rest{bytes};
  while (!rest.empty()) {
    const auto field = cw::ntp::read_extension_field(rest);
    if (!field) break;
    check_rewrite(*field, rest);
    rest = rest.subspan(field->wire_size());
  }

  std::vector<std::byte> packet(cw::ntp::kHeaderSize);
  packet[0] = std::byte{0x23};  // LI 0, VN 4, mode 3
  packet.insert(packet.end(), bytes.begin(), bytes.end());
  const auto parsed = cw::ntp::parse(packet);
  if (!parsed) return 0;
  std::size_t count = 0, total = 0;
  for (const auto field : parsed->extensions) {
    ++count;
    total += field.wire_size();
  }
  if (count != parsed->extensions.size() || total != parsed->extensions.bytes().size())
    std::abort();
  const std::size_t mac = parsed->mac ? 4 + parsed->mac->digest.size() : 0;
  if (cw::ntp::kHeaderSize + total + mac != packet.size()) std::abort();
  return 0;
}
