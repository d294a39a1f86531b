// Fuzz target: NTS extension fields (RFC 8915 §5.7) on both sides. Any bytes after an NTP header
// go to the server's request check (with a real cookie key ring) and, as a reply, to the client's
// check of a real NTS request: neither reads past its input, nothing that was not sealed with the
// right keys is accepted, and an accepted request gets a reply no larger than itself.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ntp/exchange.h"
#include "ntp/nts/server_fields.h"
#include "ntp/responder.h"

namespace {

using namespace cw;
using namespace cw::ntp;

class Counting final : public Random {
 public:
  void fill(std::span<std::byte> out) override {
    for (auto& b : out) b = static_cast<std::byte>(++n_);
  }

 private:
  unsigned char n_ = 0;
};

std::shared_ptr<nts::ServerCookies> ring() {
  nts::MasterKey k;
  k.id = 1;
  k.secret.fill(std::byte{3});
  return std::make_shared<nts::ServerCookies>(std::vector{k});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto cookies = ring();
  std::vector<std::byte> packet(kHeaderSize);
  packet[0] = std::byte{0x23};  // LI 0, VN 4, mode 3
  packet.insert(packet.end(), reinterpret_cast<const std::byte*>(data),
                reinterpret_cast<const std::byte*>(data) + size);

  static Responder responder = [] {
    ResponderConfig config;
    config.nts = cookies;
    config.rate_limit.table_entries = 16;  // limiting is off (interval 0): no state carries over
    return Responder(config, 1);
  }();
  std::vector<std::byte> out(kMaxPacketSize);
  const auto now = from_unix_ns(1'700'000'000'000'000'000);
  const auto state = local_state(2, Precision{-20}, now);
  const Reply reply = responder.respond(packet, *IpAddress::parse("127.0.0.1"), now, state, out);
  if (reply.size > packet.size()) std::abort();
  if (reply.outcome == Outcome::answered_nts) std::abort();  // no valid cookie can be guessed
  responder.seal(reply, out, now);

  // As a reply to an NTS request (the same header bytes, mode 4, origin = our transmit).
  nts::SessionKeys keys;
  nts::ClientRequest request;
  request.c2s = *nts::Aead::make(keys.aead, std::span(keys.c2s).first(nts::key_size(keys.aead)));
  request.s2c = *nts::Aead::make(keys.aead, std::span(keys.s2c).first(nts::key_size(keys.aead)));
  request.cookie.assign(104, std::byte{1});
  Counting random;
  const auto pending = make_request(random, ClientAuth::nts(request)).value();
  packet[0] = std::byte{0x24};
  serialize(Packet{LeapIndicator::no_warning,
                   4,
                   Mode::server,
                   Stratum{2},
                   {},
                   {},
                   {},
                   {},
                   {},
                   {},
                   pending.sent_transmit,
                   NtpTimestamp{1},
                   NtpTimestamp{2}},
            packet);
  const auto sample = accept_reply(packet, pending, now, now);
  if (sample) std::abort();  // the S2C key never sealed these bytes
  return 0;
}
