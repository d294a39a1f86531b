// fuzz/ntp_exchange.cpp — accept_reply with arbitrary datagrams against a fixed request: it must
// never crash or read out of bounds, and an accepted sample must satisfy the exchange's rules
// (mode 4, our origin, non-zero timestamps, not a KoD, synchronized). The first 8 input bytes
// also steer T1/T4 so the offset arithmetic sees extreme values. A request made with a key
// (SHA1) checks the MAC path as well: a reply accepted for it must be marked authenticated.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "ntp/clock_filter.h"
#include "ntp/exchange.h"
#include "ntp/mac.h"

namespace {

class FixedRandom final : public cw::Random {
 public:
  void fill(std::span<std::byte> out) override {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::byte>(0xa5 ^ i);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FixedRandom random;
  const auto request = cw::ntp::make_request(random);
  std::int64_t skew = 0;
  if (size >= 8) std::memcpy(&skew, data, 8);
  const auto t1 = cw::from_unix_ns(1'700'000'000'000'000'000 + (skew % 4'000'000'000'000'000'000));
  const auto t4 = t1 + std::chrono::microseconds{250};
  const auto bytes = std::as_bytes(std::span{data, size});

  // As is, and with our origin patched in so that validation goes past the origin check.
  auto result = cw::ntp::accept_reply(bytes, request, t1, t4);
  std::uint8_t patched[cw::ntp::kMaxPacketSize];
  if (size >= cw::ntp::kHeaderSize && size <= sizeof patched) {
    std::memcpy(patched, data, size);
    const auto origin = request.sent_transmit.raw();
    for (int i = 0; i < 8; ++i) patched[24 + i] = static_cast<std::uint8_t>(origin >> (56 - 8 * i));
    result = cw::ntp::accept_reply(std::as_bytes(std::span{patched, size}), request, t1, t4);
  }
  static const auto key = [] {
    std::array<std::byte, 20> secret{};
    secret.fill(std::byte{0x22});
    return cw::ntp::Key::make(cw::ntp::KeyId{2}, cw::ntp::KeyType::sha1, secret).value();
  }();
  const auto keyed = cw::ntp::make_request(random, key);
  const auto authenticated = cw::ntp::accept_reply(bytes, keyed, t1, t4);
  if (authenticated && (!authenticated->authenticated || authenticated->key_id != key.id()))
    std::abort();

  if (result) {
    const auto& s = *result;
    if (s.server.mode != cw::ntp::Mode::server || s.server.origin_time != request.sent_transmit ||
        s.server.transmit_time.is_zero() || s.server.stratum.is_kiss_of_death() ||
        s.server.leap == cw::ntp::LeapIndicator::unsynchronized)
      std::abort();
    cw::ntp::ClockFilter filter;
    filter.add(s.measurement);
    (void)s.root_distance();
  } else {
    (void)cw::ntp::describe(result.error());
  }
  return 0;
}
