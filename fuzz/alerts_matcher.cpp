// Fuzz target: alerts/matcher.h's text form — any bytes either parse or are refused, and what
// parses prints back to a text that parses to the same matcher.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "alerts/matcher.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cw::alerts;
  auto matcher = parse_matcher({reinterpret_cast<const char*>(data), size});
  if (!matcher) return 0;
  auto again = parse_matcher(to_string(*matcher));
  if (!again || *again != *matcher) std::abort();
  (void)matches(*matcher, {{"type", "port_scan"}, {"agent", "lab-1"}, {"severity", "high"}});
  return 0;
}
