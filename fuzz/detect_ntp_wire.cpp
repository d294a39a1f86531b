// Fuzz target: the NTP-on-the-wire decoder (detect/net/ntp/ntp_wire.h) on any bytes, then the
// same bytes as a UDP payload to and from port 123 through the NTP detector with small tables: no
// crash, no read past the datagram, every event an ntp_anomaly with a kind.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "detect/net/ntp/ntp_detector.h"
#include "detect/net/ntp/ntp_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span{data, size});
  cw::detect::NtpWire wire;
  if (cw::detect::decode_ntp_wire(bytes, wire) && wire.size != size) std::abort();
  static const auto config = [] {
    cw::detect::NetmonConfig c;
    c.ntp.max_pairs = 4;
    c.ntp.max_servers = 2;
    c.ntp.max_victims = 2;
    c.ntp.max_reports = 4;
    c.ntp.allowed_servers.push_back(*cw::IpPrefix::parse("10.0.0.1"));
    return c;
  }();
  cw::detect::EventSink sink = [](cw::events::Event&& e) {
    const auto* net = std::get_if<cw::events::NetworkData>(&e.data);
    if (e.type != cw::events::EventType::ntp_anomaly || net == nullptr || net->kind.empty())
      std::abort();
  };
  cw::detect::NtpDetector detector(config, sink);
  cw::detect::DecodedPacket p;
  p.transport = cw::detect::Transport::udp;
  p.payload = bytes;
  for (int i = 0; i < 4; ++i) {
    const bool request = i % 2 == 0;
    p.source = *cw::IpAddress::parse(request ? "10.0.0.5" : "10.0.0.1");
    p.destination = *cw::IpAddress::parse(request ? "10.0.0.1" : "10.0.0.5");
    p.source_port = request ? 40000 : 123;
    p.destination_port = request ? 123 : 40000;
    p.time = cw::from_unix_ns(1'700'000'000'000'000'000 + i * 1'000'000);
    detector.on_packet(p, p.time);
  }
  return 0;
}
