// tests/support/ntp_reply.h — a literal NTPv4 server reply to a request an ntp::Source sent, for
// unit tests of the client core and of what runs on top of it (serve's upstream combiner).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "ntp/packet.h"

namespace cw::testing {

// The server's answer to `request`: received at t2, sent at t3 (its clock), stratum 2, root delay
// 2 ms and dispersion 1 ms. With `kiss`, a Kiss-o'-Death with that code instead.
inline std::vector<std::byte> reply_to(std::span<const std::byte> request, Timestamp t2,
                                       Timestamp t3, const char* kiss = nullptr,
                                       std::int8_t poll = 0) {
  using namespace std::chrono_literals;
  const auto sent = ntp::parse(request).value().header;
  ntp::Packet p;
  p.version = 4;
  p.mode = ntp::Mode::server;
  p.stratum = ntp::Stratum{2};
  p.precision = ntp::Precision{-20};
  p.poll = ntp::PollInterval{poll};
  p.root_delay = NtpShort::from(2ms);
  p.root_dispersion = NtpShort::from(1ms);
  p.reference_id = ntp::RefId::from_u32(0x7f000001);
  p.reference_time = NtpTimestamp::from(t2 - 10s);
  p.origin_time = sent.transmit_time;
  p.receive_time = NtpTimestamp::from(t2);
  p.transmit_time = NtpTimestamp::from(t3);
  if (kiss != nullptr) {
    p.stratum = ntp::Stratum{0};
    p.reference_id = ntp::RefId::from_ascii(kiss);
  }
  const auto wire = ntp::serialize(p);
  return {wire.begin(), wire.end()};
}

}  // namespace cw::testing
