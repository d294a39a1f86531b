// Fuzz target: core/bytes.h varint decoding never reads past the input, and re-encodes exactly.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/bytes.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cw::ByteReader reader{std::as_bytes(std::span{data, size})};
  while (auto value = reader.varint()) {
    std::array<std::byte, 10> buffer{};
    cw::ByteWriter writer{buffer};
    writer.varint(*value);
    cw::ByteReader again{writer.written()};
    if (again.varint() != value) std::abort();
  }
  return 0;
}
