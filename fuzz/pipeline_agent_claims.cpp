// fuzz/pipeline_agent_claims.cpp — the `agents:` lines of an authorized key file (a .pub in the
// collector's allow-list directory, agent_claims.h): any text parses without crashing, within its
// limits, and every pattern it yields is checked against an agent id without crashing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pipeline/agent_claims.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  const auto parsed = cw::pipeline::parse_agent_claims(text);
  if (parsed.patterns.size() > 1024) __builtin_trap();
  for (const auto& pattern : parsed.patterns)
    if (pattern.empty() || pattern.size() > 255) __builtin_trap();
  const auto id = text.substr(0, std::min<std::size_t>(size, 16));
  (void)cw::pipeline::may_claim("node", parsed.patterns, id);
  return 0;
}
