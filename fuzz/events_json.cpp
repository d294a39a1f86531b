// Fuzz target: events/json_codec.h's decoder never crashes on any text, and what it accepts
// encodes and decodes again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "events/json_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cw::events;
  auto event = decode_json({reinterpret_cast<const char*>(data), size});
  if (event) {
    const auto text = encode_json(*event);
    auto again = decode_json(text);
    // Strings with invalid UTF-8 are replaced when written; all the rest must come back.
    if (!again || again->sequence != event->sequence || again->type != event->type ||
        again->timestamp != event->timestamp)
      std::abort();
  }
  return 0;
}
