// Fuzz target: the /proc/PID/stat start-time and command parsers and the /proc/PID/status uid
// parser of platform/host_time_readers.h on any bytes: no crash, no read past the text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "platform/host_time_readers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cw::platform::parse_stat_start_time(text);
  if (const auto command = cw::platform::parse_stat_command(text))
    if (command->data() < text.data() || command->data() + command->size() > text.data() + size)
      __builtin_trap();  // a view into the text, never past it
  (void)cw::platform::parse_status_uid(text);
  return 0;
}
