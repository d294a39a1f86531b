// Fuzz target: the /proc text parsers of the tamper scan (detect/clock/tampering.h) — maps,
// environ, /etc/ld.so.preload and timens_offsets — on any bytes, then the judge on what they
// found: no crash, every event a time_tampering with a kind, each process reported once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "detect/clock/tampering.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  cw::detect::ProcessFacts p;
  p.pid = 1;
  p.maps_library = cw::detect::faking_library_in_maps(text);
  p.environ_variable = cw::detect::faking_variable_in_environ(text);
  p.timens = cw::detect::parse_timens_offsets(text);
  const auto preload = cw::detect::faking_library_in_preload(text);
  if (p.maps_library && p.maps_library->empty()) std::abort();
  cw::detect::TamperJudge judge;
  const auto now = cw::from_unix_ns(1'700'000'000'000'000'000);
  const auto first = judge.on_processes({p}, now);
  for (const auto& e : first)
    if (e.type != cw::events::EventType::time_tampering || e.attributes.empty()) std::abort();
  if (!judge.on_processes({p}, now).empty()) std::abort();  // once while it lives
  (void)judge.on_preload_file(preload, now);
  return 0;
}
