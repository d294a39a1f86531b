// fuzz/apps_netmon_config.cpp — the netmon YAML reader (apps/netmon/netmon_config.h): any text is
// read into a NetmonConfig or refused with one NetmonConfigError naming the key; nothing else may
// escape (a yaml-cpp exception, a crash), and what is accepted passes detect::validate.
#include <cstddef>
#include <cstdint>
#include <string>

#include "apps/netmon/netmon_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text{reinterpret_cast<const char*>(data), size};
  try {
    const auto config = cw::apps::parse_netmon_config(text);
    if (cw::detect::validate(config)) __builtin_trap();  // accepted but invalid
  } catch (const cw::apps::NetmonConfigError&) {
    // refused, with a message naming the key
  }
  return 0;
}
