// Fuzz target: events/msgpack_codec.h's decoder never crashes or over-allocates, and what it
// accepts encodes and decodes again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "events/msgpack_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cw::events;
  auto event = decode_msgpack(std::as_bytes(std::span{data, size}));
  if (event) {
    std::vector<std::byte> out;
    encode_msgpack(*event, out);
    auto again = decode_msgpack(out);
    if (!again || again->sequence != event->sequence || again->type != event->type ||
        again->timestamp != event->timestamp || again->agent_id != event->agent_id)
      std::abort();
  }
  return 0;
}
