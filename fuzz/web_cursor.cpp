// fuzz/web_cursor.cpp — the stream's resume cursor and the events' page cursor (web/cursor.h):
// any bytes decode or fail without crashing, and what decodes encodes to a text that decodes to
// the same position.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "web/cursor.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  if (const auto position = cw::web::decode_stream_cursor(text)) {
    if (*position < 0) __builtin_trap();
    if (cw::web::decode_stream_cursor(cw::web::encode_stream_cursor(*position)) != position)
      __builtin_trap();
  }
  if (const auto key = cw::web::decode_page_cursor(text)) {
    const auto again = cw::web::decode_page_cursor(cw::web::encode_page_cursor(*key));
    if (!again || again->timestamp != key->timestamp || again->agent_id != key->agent_id ||
        again->sequence != key->sequence)
      __builtin_trap();
  }
  return 0;
}
