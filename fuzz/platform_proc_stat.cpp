// Fuzz target: the /proc/PID/stat start-time and /proc/PID/status uid parsers of
// platform/host_time_readers.h on any bytes: no crash, no read past the text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "platform/host_time_readers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cw::platform::parse_stat_start_time(text);
  (void)cw::platform::parse_status_uid(text);
  return 0;
}
