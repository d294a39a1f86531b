// bench/ntp_server/echo_responder.cpp — the machine's own limit for a UDP NTP responder: a bare
// batched echo (recvmmsg → answer in place → sendmmsg, nothing else), one thread, one socket.
//
// Each request is turned, in place and at its own length (48 bytes, or an NTS-sized one from
// ntp_loadgen --pad), into the smallest reply the load generator accepts (mode 4,
// stratum 2, origin = the request's transmit timestamp, receive = transmit = one clock reading per
// batch); no parsing, no checks, no counters, no MAC. It drains the socket without blocking and
// blocks only when it is empty, as serve's workers do, with the same receive buffer and batch size.
// On these VMs ~95 % of a responder's CPU is the kernel's UDP path, so chronowatch serve's
// responses/s as a fraction of this one's, measured in the same run (compare.py does), says how far
// serve is from what the machine allows.
//
//   echo_responder --listen 127.0.0.1:PORT      → runs until SIGTERM/SIGINT
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

constexpr std::size_t kBatch = 64;
constexpr std::size_t kPacket = 48;
constexpr std::uint64_t kUnixToNtp = 2208988800ull;

volatile std::sig_atomic_t stopping = 0;

int open_socket(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(std::stoi(listen.substr(colon + 1))));
  if (::inet_pton(AF_INET, listen.substr(0, colon).c_str(), &address.sin_addr) != 1) return -1;
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return -1;
  timeval tick{0, 200'000};  // wake up now and then to see SIGTERM
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
  const int buffer = 4 << 20;  // serve's default receive buffer, so both queue alike
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) return -1;
  return fd;
}

// The NTP timestamp of now, big-endian, as it goes on the wire.
std::array<unsigned char, 8> ntp_now() {
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME, &t);
  const auto seconds =
      static_cast<std::uint32_t>(static_cast<std::uint64_t>(t.tv_sec) + kUnixToNtp);
  const auto fraction =
      static_cast<std::uint32_t>((static_cast<std::uint64_t>(t.tv_nsec) << 32) / 1'000'000'000ull);
  const std::uint32_t wire[2] = {htonl(seconds), htonl(fraction)};
  std::array<unsigned char, 8> out{};
  std::memcpy(out.data(), wire, sizeof wire);
  return out;
}

void answer_in_place(unsigned char* packet, const std::array<unsigned char, 8>& now) {
  packet[0] = 0x24;                          // LI 0, version 4, mode 4 (server)
  packet[1] = 2;                             // stratum 2
  std::memcpy(packet + 24, packet + 40, 8);  // origin = the client's transmit timestamp
  std::memcpy(packet + 32, now.data(), 8);   // receive
  std::memcpy(packet + 40, now.data(), 8);   // transmit
}

// Like serve's workers: take what is queued without blocking, block only when nothing is.
void serve(int fd) {
  std::array<std::array<unsigned char, 512>, kBatch> buffers{};
  std::array<sockaddr_in, kBatch> peers{};
  std::array<iovec, kBatch> iovecs{};
  std::array<mmsghdr, kBatch> messages{};
  while (!stopping) {
    for (std::size_t i = 0; i < kBatch; ++i) {
      iovecs[i] = {buffers[i].data(), buffers[i].size()};
      messages[i] = {};
      messages[i].msg_hdr = {&peers[i], sizeof peers[i], &iovecs[i], 1, nullptr, 0, 0};
    }
    int received = ::recvmmsg(fd, messages.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (received <= 0) received = ::recvmmsg(fd, messages.data(), kBatch, MSG_WAITFORONE, nullptr);
    if (received <= 0) continue;
    const auto now = ntp_now();
    for (int i = 0; i < received; ++i) {
      if (messages[i].msg_len < kPacket) messages[i].msg_len = kPacket;  // answered anyway
      answer_in_place(buffers[i].data(), now);
      iovecs[i].iov_len = messages[i].msg_len;  // the request's length, as serve's NTS replies
    }
    ::sendmmsg(fd, messages.data(), static_cast<unsigned>(received), 0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || std::string(argv[1]) != "--listen") {
    std::fprintf(stderr, "usage: echo_responder --listen ADDR:PORT\n");
    return 2;
  }
  const int fd = open_socket(argv[2]);
  if (fd < 0) {
    std::fprintf(stderr, "echo_responder: cannot listen on %s: %s\n", argv[2],
                 std::strerror(errno));
    return 1;
  }
  std::signal(SIGTERM, [](int) { stopping = 1; });
  std::signal(SIGINT, [](int) { stopping = 1; });
  serve(fd);
  ::close(fd);
  return 0;
}
