// Fuzz target: ntp/packet.h parse never reads past the datagram, and what it accepts round-trips:
// parse → serialize (header + extension fields + MAC) gives the same bytes, which parse the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ntp/packet.h"

namespace {

std::vector<std::byte> reassemble(const cw::ntp::ParsedPacket& parsed) {
  std::vector<std::byte> out(cw::ntp::kHeaderSize);
  if (cw::ntp::serialize(parsed.header, out) != cw::ntp::kHeaderSize) std::abort();
  const auto fields = parsed.extensions.bytes();
  out.insert(out.end(), fields.begin(), fields.end());
  if (parsed.mac) {
    const auto id = parsed.mac->key_id.value;
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::byte>(id >> shift));
    out.insert(out.end(), parsed.mac->digest.begin(), parsed.mac->digest.end());
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Copy into an exact-size heap buffer so that ASan sees any read past the end.
  std::vector<std::byte> datagram(size);
  if (size) std::memcpy(datagram.data(), data, size);
  const auto parsed = cw::ntp::parse(datagram);
  if (!parsed) return 0;

  std::size_t count = 0;
  for (const auto field : parsed->extensions) count += field.wire_size() > 0;
  if (count != parsed->extensions.size()) std::abort();

  const auto again_bytes = reassemble(*parsed);
  if (again_bytes != datagram) std::abort();
  const auto again = cw::ntp::parse(again_bytes);
  if (!again || !(again->header == parsed->header)) std::abort();
  if (again->extensions.size() != parsed->extensions.size()) std::abort();
  if (again->mac.has_value() != parsed->mac.has_value()) std::abort();
  if (again->authenticated.size() != parsed->authenticated.size()) std::abort();
  return 0;
}
