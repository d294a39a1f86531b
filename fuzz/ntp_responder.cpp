// Fuzz target: the server responder (ntp/responder.h) with arbitrary datagrams, with and without
// keys, rate limiting and --require-auth: it never crashes, never writes past its buffer, and
// never answers with more bytes than it received (no amplification).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "ntp/key_file.h"
#include "ntp/responder.h"

namespace {

using namespace cw;
using namespace std::chrono_literals;

ntp::ResponderConfig config(std::uint8_t flags) {
  ntp::ResponderConfig c;
  static const auto keys = std::make_shared<const ntp::KeyStore>(
      ntp::parse_key_file("1 SHA1 HEX:00112233445566778899aabbccddeeff00112233\n"
                          "2 AES128 HEX:000102030405060708090a0b0c0d0e0f\n"
                          "3 SHA512 HEX:0011223344556677\n4 MD5 ASCII:secret\n")
          .value());
  if (flags & 1) c.keys = keys;
  if (flags & 2) c.require_auth = true;
  if (flags & 4) {
    c.rate_limit.interval = 1s;
    c.rate_limit.burst = 2;
  }
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t flags = data[0];
  const auto request = std::as_bytes(std::span{data + 1, size - 1});
  static ntp::Responder responders[8] = {{config(0), 1}, {config(1), 2}, {config(2), 3},
                                         {config(3), 4}, {config(4), 5}, {config(5), 6},
                                         {config(6), 7}, {config(7), 8}};
  ntp::Responder& responder = responders[flags & 7];
  const auto state = (flags & 8) ? ntp::local_state(2, ntp::Precision{-20},
                                                    from_unix_ns(1'700'000'000'000'000'000))
                                 : ntp::unsynchronized_state(ntp::Precision{-20});
  // A buffer with guard bytes after the part the responder may use.
  std::array<std::byte, 1200 + 64> buffer{};
  buffer.fill(std::byte{0xA5});
  const std::size_t usable = (flags & 16) ? 60 : 1200;
  const auto out = std::span{buffer}.first(usable);
  const auto t2 = from_unix_ns(1'700'000'000'000'000'000 + static_cast<std::int64_t>(size) * 1000);
  const ntp::Reply reply =
      responder.respond(request, IpAddress::v4(0x7f000001u + (flags >> 5)), t2, state, out);
  if (reply.size > request.size() || reply.size > usable) std::abort();
  if ((reply.size > 0) != ntp::is_answer(reply.outcome)) std::abort();
  responder.seal(reply, out.first(reply.size), t2 + 1us);
  for (std::size_t i = usable; i < buffer.size(); ++i)
    if (buffer[i] != std::byte{0xA5}) std::abort();
  return 0;
}
