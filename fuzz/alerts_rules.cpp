// Fuzz target: alerts/config.h's `alerts:` parser never crashes or throws on any text, and what it
// accepts drives the engine without crashing (a rule that validates is a rule that works).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "alerts/config.h"
#include "alerts/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cw::alerts;
  auto loaded = parse_alerts_config({reinterpret_cast<const char*>(data), size});
  if (!loaded) return 0;
  AlertEngine engine(loaded->config);
  cw::events::Event event{cw::from_unix_ns(1'764'435'900'000'000'000),
                          "lab-1",
                          1,
                          cw::events::EventType::port_scan,
                          cw::events::Severity::high,
                          {},
                          {}};
  cw::events::NetworkData network;
  network.source = *cw::IpAddress::parse("10.0.0.5");
  event.data = network;
  const auto now = event.timestamp;
  engine.observe(event, now);
  engine.tick(now + std::chrono::hours(48));
  return 0;
}
