// bench/ntp_server/loadgen_cookies.cpp — distinct cookies for the NTS load generator (see
// loadgen_cookies.h).
#include "loadgen_cookies.h"

#include <poll.h>
#include <unistd.h>

#include <array>

#include "ntp/packet.h"

namespace cw::bench {
namespace {

// One request with 7 placeholders, sent and answered (one second at most): the reply's cookies.
std::optional<std::vector<ntp::nts::Cookie>> ask(int fd, ntp::nts::ClientRequest& request,
                                                 std::uint64_t transmit, Random& random) {
  std::array<std::byte, ntp::kMaxPacketSize> wire{};
  ntp::Packet p;
  p.mode = ntp::Mode::client;
  p.transmit_time = NtpTimestamp{transmit};
  ntp::serialize(p, wire);
  const std::size_t size = ntp::nts::write_request_fields(request, wire, ntp::kHeaderSize, random);
  if (size == 0 || ::send(fd, wire.data(), size, 0) != static_cast<ssize_t>(size))
    return std::nullopt;
  for (;;) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 1000) != 1) return std::nullopt;
    const auto n = ::recv(fd, wire.data(), wire.size(), 0);
    if (n <= 0) return std::nullopt;
    auto reply = ntp::parse(std::span<const std::byte>(wire).first(static_cast<std::size_t>(n)));
    if (!reply || reply->header.origin_time.raw() != transmit) continue;  // a late reply
    auto cookies = ntp::nts::check_reply_fields(request, *reply);
    if (!cookies) return std::nullopt;
    return std::move(*cookies);
  }
}

}  // namespace

std::optional<std::string> gather_cookies(const sockaddr_storage& server, socklen_t length,
                                          ntp::nts::ClientRequest request, std::size_t count,
                                          Random& random, std::vector<ntp::nts::Cookie>& out) {
  const int fd = ::socket(server.ss_family, SOCK_DGRAM, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&server), length) != 0) {
    if (fd >= 0) ::close(fd);
    return "cannot open a socket to gather cookies";
  }
  std::vector<ntp::nts::Cookie> stock{request.cookie};
  request.placeholders = 7;
  std::uint64_t transmit = 0x6b6f'6f6b'0000'0000ull;
  std::optional<std::string> error;
  while (out.size() < count && !error) {
    request.cookie = std::move(stock.back());  // each cookie sent once
    stock.pop_back();
    auto got = ask(fd, request, ++transmit, random);
    if (!got) error = "the server did not answer a cookie request with verified cookies";
    for (auto& cookie : got.value_or(std::vector<ntp::nts::Cookie>{}))
      (stock.size() < 8 ? stock : out).push_back(std::move(cookie));
  }
  ::close(fd);
  out.resize(std::min(out.size(), count));
  return error;
}

}  // namespace cw::bench
