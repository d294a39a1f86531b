// Fuzz target: events/binary_codec.h decoders never crash, never over-allocate, and whatever they
// accept re-encodes to bytes that decode to the same re-encoding (doubles compared bit for bit).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "events/binary_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cw::events;
  const auto input = std::as_bytes(std::span{data, size});
  if (auto hello = decode_hello(input)) {
    std::vector<std::byte> once;
    encode_hello(*hello, once);
    if (decode_hello(once) != hello) std::abort();
  }
  if (auto events = decode_batch(input, "fuzz")) {
    std::vector<std::byte> once;
    encode_batch(*events, once);
    auto again = decode_batch(once, "fuzz");
    if (!again) std::abort();
    std::vector<std::byte> twice;
    encode_batch(*again, twice);
    if (once != twice) std::abort();
  }
  return 0;
}
