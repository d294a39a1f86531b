// fuzz/transport_sequence_file.cpp — the text of the agent's sequence file (sequence_file.h): any
// bytes parse without crashing, and what parses prints back to the same digits.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "transport/spool/sequence_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  const auto value = cw::transport::parse_sequence_text(text);
  if (!value) return 0;
  if (text.ends_with('\n')) text.remove_suffix(1);
  std::string digits = std::to_string(*value);
  // Leading zeros are accepted ("007"), so compare without them.
  const auto first = text.find_first_not_of('0');
  const std::string_view significant = first == std::string_view::npos ? "0" : text.substr(first);
  if (significant != digits) __builtin_trap();
  return 0;
}
