// bench/ntp_server/loadgen.cpp — NTP load generator: many UDP source ports, requests sent with
// sendmmsg and replies read with recvmmsg, in two modes: flood (closed loop: each socket keeps
// --window requests in flight, to find the server's saturation throughput) and fixed rate (open
// loop: --rate requests/s, to measure loss and latency; with --paced 1 each request leaves alone
// when it is due, like independent clients, instead of in bursts every millisecond). Every reply is
// validated (mode 4, our origin timestamp, T2/T3 present and ordered, the MAC when --key is given)
// and the server's own processing time T3 − T2 is read from it. Prints one JSON object.
//
//   ntp_loadgen --server 127.0.0.1:11123 --seconds 5                 # flood
//   ntp_loadgen --server 127.0.0.1:11123 --seconds 5 --rate 50000    # fixed rate
//   ntp_loadgen --server 127.0.0.1:11123 --seconds 5 --rate 20000 --paced 1
//   ntp_loadgen ... --keyfile keys --key 1                           # authenticated (RFC 8573)
//   ntp_loadgen ... --nts-ke 127.0.0.1:4460 --nts-ca cert.pem        # NTS: one NTS-KE, then every
//                   request carries the same cookie and no placeholder (as ntpperf does). Each
//                   socket's --nts-pool requests are sealed once up front and resent in turn:
//                   an NTS server keeps no replay state (RFC 8915 §5.7: the unique identifier
//                   protects the client), and ntpperf resends prepared NTS requests the same way,
//                   so the generator spends no AEAD per request and cannot be the bottleneck.
//                   Every reply's header, origin and unique identifier are checked; every
//                   --verify-every'th (default 16; 1: all) also fully (the authenticator under S2C,
//                   the encrypted cookies, RFC 8915 §5.7), counted as "verified"
//   ntp_loadgen ... --nts-ke ... --nts-cookies N   # N distinct cookies (asked of the server
//                   first, 8 a reply), request k of the pools carrying cookie k mod N: with N at
//                   least --sockets × --nts-pool, every request in flight has its own cookie
//   ntp_loadgen ... --pad N          # plain requests of 48 + N bytes: one extension field of an
//                                    unassigned type (RFC 7822: ignored), N a multiple of 4 ≥ 16;
//                                    with the echo responder, the kernel's cost of NTS-sized UDP
//   ntp_loadgen --ke-flood 127.0.0.1:4460 --nts-ca cert.pem --seconds 5 [--sockets N]
//                   NTS-KE handshakes/s: N threads each making KEs back to back
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "apps/common/nts/ke_client.h"
#include "loadgen_cookies.h"
#include "loadgen_stats.h"
#include "ntp/key_file.h"
#include "ntp/mac.h"
#include "ntp/nts/client_fields.h"
#include "ntp/packet.h"
#include "platform/socket_address.h"
#include "platform/system_clock.h"

namespace {

using namespace cw;
using Steady = std::chrono::steady_clock;
constexpr std::uint64_t kMagic = 0xC0DEull << 48;
constexpr std::size_t kBatch = 32;

struct Options {
  sockaddr_storage server{};
  socklen_t server_length = 0;
  double seconds = 5;
  double rate = 0;     // 0: flood
  bool paced = false;  // fixed rate: one request at a time, each when due (busy-waits a core)
  int sockets = 32;
  int window = 8;
  std::size_t pad = 0;  // --pad: bytes of one unassigned extension field after a plain header
  const ntp::Key* key = nullptr;
  ntp::KeyStore keys;
  std::string source = "127.0.0.1";
  std::string nts_ke;  // HOST:PORT of an NTS-KE server: NTS requests
  std::string nts_ca;
  std::string ke_flood;             // HOST:PORT: measure NTS-KE handshakes/s instead
  std::uint32_t nts_pool = 64;      // NTS requests sealed up front per socket, resent in turn
  std::uint64_t verify_every = 16;  // NTS: full check of every N-th reply
  std::size_t nts_cookies = 0;      // NTS: distinct cookies over the pools (0: the KE's first)
  std::vector<ntp::nts::Cookie> cookies;
  // The NTS keys and the one cookie of every request; its unique_id is rewritten per request.
  mutable std::optional<ntp::nts::ClientRequest> nts;
};

// The unique identifier of a request is its transmit timestamp repeated, so that a reply's can be
// checked without remembering every request; the nonce is a counter (distinct is all SIV needs).
class NtsRandom final : public Random {
 public:
  std::uint64_t transmit = 0;
  void fill(std::span<std::byte> out) override {
    const std::uint64_t v = fills_++ % 2 == 0 ? transmit : ++nonce_;
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::byte(v >> (8 * (i % 8)));
  }

 private:
  std::uint64_t fills_ = 0;
  std::uint64_t nonce_ = 0;
};
NtsRandom nts_random;

void unique_id_for(std::uint64_t transmit, std::span<std::byte> out) {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::byte(transmit >> (8 * (i % 8)));
}

[[noreturn]] void usage(const char* message) {
  std::fprintf(
      stderr,
      "ntp_loadgen: %s\nusage: ntp_loadgen --server ADDR:PORT [--seconds S] [--rate R] "
      "[--paced 0|1] [--sockets N] [--window W] [--source ADDR] [--keyfile F --key ID] [--pad N]\n"
      "       [--nts-ke HOST:PORT --nts-ca FILE [--nts-pool N] [--verify-every N]\n"
      "        [--nts-cookies N]]\n"
      "       --ke-flood HOST:PORT --nts-ca FILE [--seconds S] [--sockets N]\n",
      message);
  std::exit(2);
}

void parse_server(Options& o, const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) usage("--server needs ADDR:PORT");
  std::string host = text.substr(0, colon);
  const auto port = static_cast<std::uint16_t>(std::atoi(text.c_str() + colon + 1));
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&o.server);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&o.server);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    o.server_length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    o.server_length = sizeof(sockaddr_in6);
  } else {
    usage("--server address is not numeric");
  }
}

Options parse_options(int argc, char** argv) {
  Options o;
  std::string keyfile;
  std::uint32_t key_id = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value after " + a).c_str());
    const std::string v = argv[++i];
    if (a == "--server")
      parse_server(o, v);
    else if (a == "--seconds")
      o.seconds = std::atof(v.c_str());
    else if (a == "--rate")
      o.rate = std::atof(v.c_str());
    else if (a == "--paced")
      o.paced = v != "0";
    else if (a == "--sockets")
      o.sockets = std::atoi(v.c_str());
    else if (a == "--pad")
      o.pad = static_cast<std::size_t>(std::atoi(v.c_str()));
    else if (a == "--window")
      o.window = std::atoi(v.c_str());
    else if (a == "--source")
      o.source = v;
    else if (a == "--keyfile")
      keyfile = v;
    else if (a == "--key")
      key_id = static_cast<std::uint32_t>(std::atol(v.c_str()));
    else if (a == "--nts-ke")
      o.nts_ke = v;
    else if (a == "--nts-ca")
      o.nts_ca = v;
    else if (a == "--ke-flood")
      o.ke_flood = v;
    else if (a == "--nts-pool")
      o.nts_pool = static_cast<std::uint32_t>(std::max(1, std::atoi(v.c_str())));
    else if (a == "--nts-cookies")
      o.nts_cookies = static_cast<std::size_t>(std::max(0, std::atoi(v.c_str())));
    else if (a == "--verify-every")
      o.verify_every = static_cast<std::uint64_t>(std::max(1, std::atoi(v.c_str())));
    else
      usage(("unknown option " + a).c_str());
  }
  if (o.server_length == 0 && o.ke_flood.empty()) usage("--server is required");
  if (o.pad != 0 &&
      (o.pad % 4 != 0 || o.pad < 16 || o.pad > 1024 || !keyfile.empty() || !o.nts_ke.empty()))
    usage("--pad takes a multiple of 4 from 16 to 1024, for plain requests only");
  if (!o.nts_ke.empty() && o.nts_pool < static_cast<std::uint32_t>(o.window))
    usage("--nts-pool must be at least --window");
  if (!keyfile.empty()) {
    std::ifstream in(keyfile);
    std::stringstream text;
    text << in.rdbuf();
    auto keys = ntp::parse_key_file(text.str());
    if (!keys) usage(("keyfile: " + keys.error().to_string()).c_str());
    o.keys = std::move(*keys);
    o.key = o.keys.find(ntp::KeyId{key_id});
    if (o.key == nullptr) usage("--key names no key of the keyfile");
  }
  return o;
}

struct ClientSocket {
  int fd = -1;
  std::uint32_t next_seq = 0;
  int outstanding = 0;
  Steady::time_point last_reply{};
  std::vector<std::byte> pool;  // NTS: nts_pool sealed requests of pool_size bytes each
  std::size_t pool_size = 0;
};

std::vector<ClientSocket> open_sockets(const Options& o) {
  std::vector<ClientSocket> out(static_cast<std::size_t>(o.sockets));
  for (auto& e : out) {
    e.fd = ::socket(o.server.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (e.fd < 0) usage("socket() failed");
    const int buffer = 1 << 21;
    ::setsockopt(e.fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    if (o.server.ss_family == AF_INET && o.source != "127.0.0.1") {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      inet_pton(AF_INET, o.source.c_str(), &local.sin_addr);
      if (::bind(e.fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
        usage("cannot bind --source");
    }
    if (::connect(e.fd, reinterpret_cast<const sockaddr*>(&o.server), o.server_length) != 0)
      usage("connect() failed");
  }
  return out;
}

// Writes request number `seq` of socket `index` into out (kMaxPacketSize long); returns its size.
std::size_t build_request(const Options& o, std::size_t index, std::uint32_t seq,
                          std::span<std::byte> out) {
  ntp::Packet p;
  p.mode = ntp::Mode::client;
  p.poll = ntp::PollInterval{6};
  p.transmit_time = NtpTimestamp{kMagic | std::uint64_t{index & 0xffff} << 32 | seq};
  ntp::serialize(p, out);
  std::size_t size = ntp::kHeaderSize;
  if (o.pad != 0) {  // type 0xF00D: not assigned by IANA, so every server ignores it
    const std::vector<std::byte> body(o.pad - 4, std::byte{0});
    size += ntp::write_extension_field(out.subspan(size), 0xF00D, body);
  }
  if (o.key) size = ntp::append_mac(*o.key, out, ntp::kHeaderSize);
  if (o.nts) {
    nts_random.transmit = p.transmit_time.raw();
    size = ntp::nts::write_request_fields(*o.nts, out, ntp::kHeaderSize, nts_random);
  }
  return size;
}

// NTS: seals each socket's pool of requests once (sequence numbers 0 … nts_pool − 1).
void seal_pools(const Options& o, std::vector<ClientSocket>& eps) {
  std::vector<std::byte> one(ntp::kMaxPacketSize);
  for (std::size_t i = 0; i < eps.size(); ++i) {
    auto& e = eps[i];
    for (std::uint32_t k = 0; k < o.nts_pool; ++k) {
      if (!o.cookies.empty()) o.nts->cookie = o.cookies[(i * o.nts_pool + k) % o.cookies.size()];
      const std::size_t size = build_request(o, i, k, one);
      if (size == 0) usage("an NTS request does not fit in a packet");
      if (k == 0) e.pool.resize(o.nts_pool * size);
      if (size * (k + 1) > e.pool.size()) usage("NTS requests of different sizes");
      std::copy_n(one.begin(), size, e.pool.begin() + static_cast<std::ptrdiff_t>(k * size));
      e.pool_size = size;
    }
  }
}

// The next `count` requests of socket `index`: iov entries into its NTS pool, or built in buffers.
void next_requests(const Options& o, ClientSocket& e, std::size_t index, std::size_t count,
                   std::vector<std::byte>& buffers, iovec* iov) {
  for (std::size_t k = 0; k < count; ++k) {
    const std::uint32_t seq = e.next_seq++;
    if (!e.pool.empty()) {
      iov[k] = iovec{e.pool.data() + (seq % o.nts_pool) * e.pool_size, e.pool_size};
    } else {
      std::byte* at = buffers.data() + k * ntp::kMaxPacketSize;
      iov[k] = iovec{at, build_request(o, index, seq, std::span(at, ntp::kMaxPacketSize))};
    }
  }
}

std::size_t send_requests(const Options& o, ClientSocket& e, std::size_t index, std::size_t count,
                          std::vector<std::byte>& buffers) {
  count = std::min(count, kBatch);
  mmsghdr msgs[kBatch]{};
  iovec iov[kBatch];
  next_requests(o, e, index, count, buffers, iov);
  for (std::size_t k = 0; k < count; ++k) {
    msgs[k].msg_hdr.msg_iov = &iov[k];
    msgs[k].msg_hdr.msg_iovlen = 1;
  }
  const int sent = ::sendmmsg(e.fd, msgs, static_cast<unsigned>(count), 0);
  if (sent <= 0) return 0;
  e.next_seq -= static_cast<std::uint32_t>(count - static_cast<std::size_t>(sent));
  return static_cast<std::size_t>(sent);
}

// NTS, on every reply: its unique identifier is the one of the request its origin names, and an
// authenticator follows (the full check is check_reply_fields(), on a sample).
bool nts_fields_plausible(const ntp::ParsedPacket& reply, std::uint64_t origin) {
  const auto uid = reply.extensions.find(ntp::nts::kUniqueIdentifier);
  if (!uid || uid->body.size() != ntp::nts::kUniqueIdSize) return false;
  std::array<std::byte, ntp::nts::kUniqueIdSize> expected;
  unique_id_for(origin, expected);
  return std::equal(expected.begin(), expected.end(), uid->body.begin()) &&
         reply.extensions.find(ntp::nts::kAuthenticator).has_value();
}

void validate(const Options& o, std::span<const std::byte> reply, std::size_t index,
              const ClientSocket& e, bench::LoadStats& stats) {
  auto parsed = ntp::parse(reply);
  if (!parsed || parsed->header.mode != ntp::Mode::server) return void(++stats.invalid);
  const auto& h = parsed->header;
  const std::uint64_t origin = h.origin_time.raw();
  const std::uint32_t issued = e.pool.empty() ? e.next_seq : o.nts_pool;
  if ((origin & (0xffffull << 48)) != kMagic || ((origin >> 32) & 0xffff) != (index & 0xffff) ||
      static_cast<std::uint32_t>(origin) >= issued)
    return void(++stats.invalid);
  if (h.stratum.is_kiss_of_death()) return void(++stats.kiss_of_death);
  if (h.receive_time.is_zero() || h.transmit_time.is_zero() ||
      h.transmit_time - h.receive_time < Duration::zero())
    return void(++stats.invalid);
  if (o.key && !ntp::check_mac(*parsed, *o.key)) return void(++stats.invalid);
  if (o.nts) {
    if (!nts_fields_plausible(*parsed, origin)) return void(++stats.invalid);
    if (++stats.nts_seen % o.verify_every == 0) {
      unique_id_for(origin, o.nts->unique_id);
      if (!ntp::nts::check_reply_fields(*o.nts, *parsed)) return void(++stats.invalid);
      ++stats.verified;
    }
  }
  if (h.leap == ntp::LeapIndicator::unsynchronized) ++stats.unsynchronized;
  ++stats.valid;
  stats.add_server_time((h.transmit_time - h.receive_time).count());
}

std::size_t drain(const Options& o, ClientSocket& e, std::size_t index,
                  std::vector<std::byte>& buffers, bench::LoadStats& stats) {
  mmsghdr msgs[kBatch]{};
  iovec iov[kBatch];
  for (std::size_t k = 0; k < kBatch; ++k) {
    iov[k] = iovec{buffers.data() + k * ntp::kMaxPacketSize, ntp::kMaxPacketSize};
    msgs[k].msg_hdr.msg_iov = &iov[k];
    msgs[k].msg_hdr.msg_iovlen = 1;
  }
  const int got = ::recvmmsg(e.fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
  if (got <= 0) return 0;
  for (int k = 0; k < got; ++k)
    validate(
        o,
        std::span<const std::byte>(
            buffers.data() + static_cast<std::size_t>(k) * ntp::kMaxPacketSize, msgs[k].msg_len),
        index, e, stats);
  return static_cast<std::size_t>(got);
}

void run(const Options& o, std::vector<ClientSocket>& eps, bench::LoadStats& stats) {
  std::vector<std::byte> tx(kBatch * ntp::kMaxPacketSize), rx(kBatch * ntp::kMaxPacketSize);
  std::vector<pollfd> fds;
  for (auto& e : eps) fds.push_back(pollfd{e.fd, POLLIN, 0});
  const auto start = Steady::now();
  const auto end = start + std::chrono::duration_cast<Steady::duration>(
                               std::chrono::duration<double>(o.seconds));
  const auto lost_after = std::chrono::milliseconds(50);
  std::size_t rr = 0;
  for (auto now = start; now < end; now = Steady::now()) {
    if (o.rate <= 0) {
      for (std::size_t i = 0; i < eps.size(); ++i) {
        auto& e = eps[i];
        if (e.outstanding > 0 && now - e.last_reply > lost_after) e.outstanding = 0;  // given up on
        if (e.outstanding < o.window) {
          if (e.outstanding == 0) e.last_reply = now;
          const auto n =
              send_requests(o, e, i, static_cast<std::size_t>(o.window - e.outstanding), tx);
          e.outstanding += static_cast<int>(n);
          stats.sent += n;
        }
      }
    } else {
      const double due = o.rate * std::chrono::duration<double>(now - start).count() -
                         static_cast<double>(stats.sent);
      // Unpaced: what is due, 4 requests per system call; paced: one request at a time.
      const std::size_t per_call = o.paced ? 1 : 4;
      for (std::size_t left = due > 0 ? static_cast<std::size_t>(due) : 0; left > 0;) {
        const auto n = send_requests(o, eps[rr], rr, std::min<std::size_t>(left, per_call), tx);
        stats.sent += n;
        left -= std::min(left, std::max<std::size_t>(n, 1));
        rr = (rr + 1) % eps.size();
      }
    }
    // flood: wait for replies; rate: the 1 ms send tick; paced: no wait (the next send may be due)
    ::poll(fds.data(), fds.size(), o.rate > 0 && o.paced ? 0 : 1);
    for (std::size_t i = 0; i < eps.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      while (const auto got = drain(o, eps[i], i, rx, stats)) {
        eps[i].outstanding -= static_cast<int>(got);
        eps[i].last_reply = now;
      }
    }
  }
  const auto settle = Steady::now() + std::chrono::milliseconds(200);  // stragglers
  while (Steady::now() < settle) {
    ::poll(fds.data(), fds.size(), 10);
    for (std::size_t i = 0; i < eps.size(); ++i) drain(o, eps[i], i, rx, stats);
  }
}

}  // namespace

Result<platform::HostPort, std::string> host_port(const std::string& text) {
  return platform::split_host_port(text);
}

// One NTS-KE, whose keys and first cookie every request then uses.
void key_exchange(Options& o) {
  platform::SystemClock clock;
  const auto hp = host_port(o.nts_ke);
  if (!hp || !hp->port) usage("--nts-ke needs HOST:PORT");
  auto ke =
      apps::nts::key_exchange(hp->host, *hp->port, {o.nts_ca, std::chrono::seconds{5}}, clock);
  if (!ke) usage(ke.error().c_str());
  ntp::nts::ClientRequest r;
  r.c2s = *ntp::nts::Aead::make(ke->keys.aead,
                                std::span(ke->keys.c2s).first(ntp::nts::key_size(ke->keys.aead)));
  r.s2c = *ntp::nts::Aead::make(ke->keys.aead,
                                std::span(ke->keys.s2c).first(ntp::nts::key_size(ke->keys.aead)));
  r.cookie = ke->cookies.front();
  if (o.nts_cookies > 0) {
    platform::SystemRandom random;
    if (auto error =
            bench::gather_cookies(o.server, o.server_length, r, o.nts_cookies, random, o.cookies))
      usage(error->c_str());
    r.cookie = o.cookies.front();
  }
  o.nts = std::move(r);
}

// NTS-KE handshakes/s: --sockets threads, each making key exchanges back to back.
int ke_flood(const Options& o) {
  const auto hp = host_port(o.ke_flood);
  if (!hp || !hp->port) usage("--ke-flood needs HOST:PORT");
  std::atomic<std::uint64_t> done{0}, failed{0};
  const auto start = Steady::now();
  const auto end = start + std::chrono::duration_cast<Steady::duration>(
                               std::chrono::duration<double>(o.seconds));
  const auto client = apps::nts::KeClient::make({o.nts_ca, std::chrono::seconds{5}});
  if (!client) usage(client.error().c_str());
  std::vector<std::thread> threads;
  for (int t = 0; t < o.sockets; ++t) {
    threads.emplace_back([&] {
      platform::SystemClock clock;
      while (Steady::now() < end) {
        auto ke = client->key_exchange(hp->host, *hp->port, clock);
        (ke ? done : failed).fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  std::printf(
      "{\"mode\": \"ke\", \"handshakes\": %llu, \"failed\": %llu, \"seconds\": %.3f, "
      "\"handshakes_per_s\": %.1f}\n",
      static_cast<unsigned long long>(done.load()), static_cast<unsigned long long>(failed.load()),
      seconds, static_cast<double>(done.load()) / seconds);
  return 0;
}

int main(int argc, char** argv) {
  Options o = parse_options(argc, argv);
  if (!o.ke_flood.empty()) return ke_flood(o);
  if (!o.nts_ke.empty()) key_exchange(o);
  auto eps = open_sockets(o);
  if (o.nts) seal_pools(o, eps);
  bench::LoadStats stats;
  const auto start = Steady::now();
  run(o, eps, stats);
  const double seconds =
      std::min(o.seconds, std::chrono::duration<double>(Steady::now() - start).count());
  std::printf("%s\n",
              bench::to_json(stats, o.rate > 0 ? "rate" : "flood", o.rate, seconds).c_str());
  for (auto& e : eps) ::close(e.fd);
  return 0;
}
