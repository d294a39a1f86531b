// Fuzz target: detect/packet.h decodes any frame of any link type without reading past it, and
// what it returns on success lies inside the frame; the Modbus MBAP parser likewise.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "detect/modbus.h"
#include "detect/packet.h"

namespace {

constexpr cw::LinkType kLinks[] = {cw::LinkType::ethernet,      cw::LinkType::linux_sll,
                                   cw::LinkType::linux_sll2,    cw::LinkType::raw,
                                   cw::LinkType::null_loopback, cw::LinkType::ipv6};

bool inside(std::span<const std::byte> part, std::span<const std::byte> whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto link = kLinks[data[0] % std::size(kLinks)];
  const auto frame = std::as_bytes(std::span{data + 1, size - 1});
  cw::detect::DecodedPacket packet;
  const auto status = cw::detect::decode_packet(link, frame, cw::from_unix_ns(0), packet);
  if (status == cw::detect::DecodeStatus::ok && !inside(packet.payload, frame)) std::abort();
  cw::detect::ModbusAdu adu;
  std::size_t consumed = 0;
  if (cw::detect::parse_mbap(frame, adu, consumed) == cw::detect::MbapStatus::ok &&
      (consumed > frame.size() || !inside(adu.data, frame)))
    std::abort();
  return 0;
}
