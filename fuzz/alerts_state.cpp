// Fuzz target: alerts/state.h's stored documents (alerts, silences, suppressions, totals, the
// evaluation progress, the correlation windows) — any bytes either decode or are refused (never
// a crash), and what decodes encodes to a text that decodes to the same document.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "alerts/state.h"

namespace {

template <typename Decode, typename Encode>
void round_trip(std::string_view text, Decode decode, Encode encode) {
  auto value = decode(text);
  if (!value) return;
  const auto once = encode(*value);
  auto again = decode(once);
  if (!again || encode(*again) != once) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cw::alerts;
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  round_trip(text, decode_alert, encode_alert);
  round_trip(text, decode_silence, encode_silence);
  round_trip(text, decode_suppression, encode_suppression);
  round_trip(text, decode_totals, encode_totals);
  round_trip(text, decode_progress, encode_progress);
  round_trip(text, decode_windows, encode_windows);
  return 0;
}
