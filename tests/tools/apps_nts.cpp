// tool_apps_nts — a helper for tests/integration/test_query_nts.py: one NTS-KE with a server
// (apps/common/nts/ke_client.h), then one NTS request for each placeholder count 0…7 through the
// ntp core, printing per request one JSON line: the placeholders sent, the cookies that came back,
// the request's and reply's sizes, the offset, or the rejection. Proves what query cannot show:
// that the server returns k + 1 cookies for k placeholders.
//   tool_apps_nts HOST KE_PORT CA_FILE [NTP_PORT [COUNT]]
// NTP_PORT (non-zero) sends the NTP requests there instead of where NTS-KE said (a relay in the
// test); COUNT requests are sent (default 8, placeholders 0, 1, … 7).
#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <string>

#include "apps/common/nts/ke_client.h"
#include "ntp/exchange.h"
#include "ntp/nts/client_session.h"
#include "platform/socket_address.h"
#include "platform/system_clock.h"
#include "platform/udp_client.h"

using namespace cw;

int main(int argc, char** argv) {
  if (argc < 4 || argc > 6) {
    std::fprintf(stderr, "usage: tool_apps_nts HOST KE_PORT CA_FILE [NTP_PORT [COUNT]]\n");
    return 2;
  }
  platform::SystemClock clock;
  platform::SystemRandom random;
  const std::string host = argv[1];
  auto ke = apps::nts::key_exchange(host, static_cast<std::uint16_t>(std::stoi(argv[2])),
                                    {argv[3], std::chrono::seconds{5}}, clock);
  if (!ke) {
    std::printf("{\"error\": \"%s\"}\n", ke.error().c_str());
    return 1;
  }
  std::printf("{\"ke_cookies\": %zu, \"ntp_port\": %u, \"cookie_size\": %zu}\n", ke->cookies.size(),
              ke->ntp_port, ke->cookies.front().size());
  const int override_port = argc > 4 ? std::stoi(argv[4]) : 0;
  const std::size_t count = argc > 5 ? static_cast<std::size_t>(std::stoi(argv[5])) : 8;
  const auto port = override_port ? static_cast<std::uint16_t>(override_port)
                                  : (ke->ntp_port ? ke->ntp_port : std::uint16_t{123});
  auto address = platform::resolve(ke->ntp_host, port)->front();
  platform::UdpClient udp(address, clock);
  auto cookies = ke->cookies;
  int status = 0;
  for (std::size_t k = 0; k < count; ++k) {
    ntp::nts::ClientRequest nts;
    nts.c2s = *ntp::nts::Aead::make(
        ke->keys.aead, std::span(ke->keys.c2s).first(ntp::nts::key_size(ke->keys.aead)));
    nts.s2c = *ntp::nts::Aead::make(
        ke->keys.aead, std::span(ke->keys.s2c).first(ntp::nts::key_size(ke->keys.aead)));
    if (cookies.empty()) {
      std::printf("{\"placeholders\": %zu, \"error\": \"no cookie left\"}\n", k);
      return 1;
    }
    nts.cookie = cookies.back();
    cookies.pop_back();
    nts.placeholders = k % 8;
    const auto request = ntp::make_request(random, ntp::ClientAuth::nts(nts)).value();
    const Timestamp t1 = udp.send(request.datagram());
    std::array<std::byte, ntp::kMaxPacketSize + 4> buffer{};
    auto got = udp.receive(buffer, clock.monotonic_now() + std::chrono::seconds{2});
    if (!got) {
      std::printf("{\"placeholders\": %zu, \"error\": \"no reply\"}\n", k);
      status = 1;
      continue;
    }
    auto sample = ntp::accept_reply(got->bytes, request, t1, got->received_at);
    if (!sample) {
      std::printf("{\"placeholders\": %zu, \"error\": \"%s\", \"reason\": \"%s\"}\n", k,
                  ntp::describe(sample.error()).c_str(), ntp::to_string(sample.error().reason));
      status = 1;
      continue;
    }
    std::printf(
        "{\"placeholders\": %zu, \"cookies\": %zu, \"request_size\": %zu, \"reply_size\": %zu, "
        "\"offset\": %.9f}\n",
        k, sample->cookies.size(), request.size, got->bytes.size(), to_seconds(sample->offset()));
    for (auto& c : sample->cookies) cookies.push_back(std::move(c));
  }
  return status;
}
