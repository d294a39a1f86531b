// fuzz/platform_addresses.cpp — the address texts of the command line (platform/socket_address.h):
// `--listen ADDR:PORT` and `--upstream HOST[:PORT]`. Any bytes parse or fail without crashing, and
// a listen address prints back to a text that parses to the same address.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "platform/socket_address.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  (void)cw::platform::split_host_port(text);
  const auto listen = cw::platform::parse_listen_address(text);
  if (!listen) return 0;
  const auto again = cw::platform::parse_listen_address(listen->to_string());
  if (!again || *again != *listen) __builtin_trap();
  return 0;
}
