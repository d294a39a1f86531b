// bench/netmon/pcapgen.cpp — writes large synthetic captures for the netmon benchmark, without
// libpcap: `mix N FILE` (established TCP flows with data, new connections, UDP request/replies,
// Modbus polling, NTP client/server exchanges and one port scan), `flood N FILE` (N SYNs from N
// distinct spoofed sources to one server) or `ntpflood N FILE` (N monlist responses of 440 bytes
// from N distinct reflectors at one victim's port 80: an NTP reflection). Classic pcap, Ethernet,
// microsecond timestamps, one packet per simulated µs.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Writer {
  std::FILE* file;
  std::uint64_t time_us = 1'700'000'000'000'000ULL;
  std::vector<unsigned char> frame;

  void header() {
    const std::uint32_t h[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
    std::fwrite(h, sizeof h, 1, file);
  }
  void put8(unsigned v) { frame.push_back(static_cast<unsigned char>(v)); }
  void put16(unsigned v) {
    put8(v >> 8);
    put8(v & 0xff);
  }
  void put32(std::uint32_t v) {
    put16(v >> 16);
    put16(v & 0xffff);
  }
  // One frame; the payload is `payload` bytes of `data` (or a counting pattern when data is null).
  void packet(std::uint32_t src, std::uint32_t dst, unsigned proto, unsigned sport, unsigned dport,
              unsigned flags, std::size_t payload, const unsigned char* data = nullptr) {
    frame.clear();
    for (int i = 0; i < 12; ++i) put8(0x02);
    put16(0x0800);
    const std::size_t l4 = (proto == 6 ? 20 : 8) + payload;
    put8(0x45);
    put8(0);
    put16(static_cast<unsigned>(20 + l4));
    put16(1);
    put16(0);
    put8(64);
    put8(proto);
    put16(0);
    put32(src);
    put32(dst);
    put16(sport);
    put16(dport);
    if (proto == 6) {
      put32(1);
      put32(flags & 0x10 ? 1 : 0);
      put8(0x50);
      put8(flags);
      put16(65535);
      put16(0);
      put16(0);
    } else {
      put16(static_cast<unsigned>(l4));
      put16(0);
    }
    for (std::size_t i = 0; i < payload; ++i) put8(data ? data[i] : static_cast<unsigned>(i));
    ++time_us;
    const std::uint32_t record[4] = {static_cast<std::uint32_t>(time_us / 1'000'000),
                                     static_cast<std::uint32_t>(time_us % 1'000'000),
                                     static_cast<std::uint32_t>(frame.size()),
                                     static_cast<std::uint32_t>(frame.size())};
    std::fwrite(record, sizeof record, 1, file);
    std::fwrite(frame.data(), frame.size(), 1, file);
  }
  void modbus_poll(std::uint32_t master, std::uint32_t slave, unsigned tid) {  // FC 3, 10 registers
    const unsigned char request[] = {static_cast<unsigned char>(tid >> 8),
                                     static_cast<unsigned char>(tid),
                                     0,
                                     0,
                                     0,
                                     6,
                                     1,
                                     3,
                                     0,
                                     0,
                                     0,
                                     10};
    unsigned char response[9 + 20] = {static_cast<unsigned char>(tid >> 8),
                                      static_cast<unsigned char>(tid),
                                      0,
                                      0,
                                      0,
                                      23,
                                      1,
                                      3,
                                      20};
    packet(master, slave, 6, 41000, 502, 0x18, sizeof request, request);
    packet(slave, master, 6, 502, 41000, 0x18, sizeof response, response);
  }
  // An NTP exchange (RFC 5905 mode 3 then mode 4 echoing its transmit), stamped with the capture
  // time so the server's time reads as right.
  void ntp_exchange(std::uint32_t client, std::uint32_t server, unsigned port) {
    unsigned char request[48] = {0x23};
    const std::uint64_t ntp =
        ((time_us / 1'000'000 + 2'208'988'800ULL) << 32) | ((time_us % 1'000'000) * 4295ULL);
    for (int i = 0; i < 8; ++i) request[40 + i] = static_cast<unsigned char>(ntp >> (56 - 8 * i));
    packet(client, server, 17, port, 123, 0, sizeof request, request);
    unsigned char reply[48] = {0x24, 2, 6, 0xec};
    for (int i = 0; i < 8; ++i) {
      reply[24 + i] = request[40 + i];                                                  // origin
      reply[32 + i] = reply[40 + i] = static_cast<unsigned char>(ntp >> (56 - 8 * i));  // T2, T3
    }
    packet(server, client, 17, 123, port, 0, sizeof reply, reply);
  }
};

constexpr std::uint32_t kNet = 0x0a000000;  // 10.0.0.0/8, synthetic

void mix(Writer& w, std::uint64_t n) {
  std::uint64_t written = 0;
  unsigned port = 1024;
  for (std::uint64_t round = 0; written < n; ++round) {
    const std::uint32_t client = kNet | (0x010000 + static_cast<std::uint32_t>(round % 2000));
    const std::uint32_t server = kNet | (0x020000 + static_cast<std::uint32_t>(round % 50));
    port = port >= 65000 ? 1024 : port + 1;
    if (round % 20 == 0) {  // a new connection: handshake
      w.packet(client, server, 6, port, 443, 0x02, 0);
      w.packet(server, client, 6, 443, port, 0x12, 0);
      w.packet(client, server, 6, port, 443, 0x10, 0);
      written += 3;
    }
    for (int i = 0; i < 6; ++i)
      w.packet(client, server, 6, port, 443, 0x18, 200), ++written;                          // data
    for (int i = 0; i < 6; ++i) w.packet(server, client, 6, 443, port, 0x10, 0), ++written;  // acks
    w.packet(client, server, 17, port, 53, 0, 40);   // query
    w.packet(server, client, 17, 53, port, 0, 120);  // reply
    written += 2;
    if (round % 4 == 0)
      w.ntp_exchange(client, kNet | (0x050000 + static_cast<std::uint32_t>(round % 4)), port),
          written += 2;
    if (round % 10 == 0)
      w.modbus_poll(kNet | 0x030014, kNet | 0x03000a, static_cast<unsigned>(round)), written += 2;
    if (round % 200 == 0) {  // a slow scanner: one probe now and then, refused
      const unsigned probe = static_cast<unsigned>(1 + (round / 200) % 60000);
      w.packet(kNet | 0x0400ff, server, 6, 40000, probe, 0x02, 0);
      w.packet(server, kNet | 0x0400ff, 6, probe, 40000, 0x14, 0);
      written += 2;
    }
  }
}

void flood(Writer& w, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) {
    const auto source =
        static_cast<std::uint32_t>(0x64000000u + i * 2654435761u % 0x10000000u);  // 100.x spoofed
    w.packet(source, kNet | 0x02000a, 6, static_cast<unsigned>(1024 + i % 60000), 80, 0x02, 0);
  }
}

void ntpflood(Writer& w, std::uint64_t n) {
  std::vector<unsigned char> monlist(440, 0);
  const unsigned char head[] = {0xd7, 0x00, 0x03, 0x2a, 0x00, 0x06, 0x00, 0x48};
  std::memcpy(monlist.data(), head, sizeof head);
  for (std::uint64_t i = 0; i < n; ++i) {
    const auto reflector = static_cast<std::uint32_t>(0x64000000u + i * 2654435761u % 0x10000000u);
    w.packet(reflector, kNet | 0x02000b, 17, 123, 80, 0, monlist.size(), monlist.data());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: netmon_pcapgen mix|flood|ntpflood PACKETS FILE\n");
    return 2;
  }
  Writer w{std::fopen(argv[3], "wb"), 1'700'000'000'000'000ULL, {}};
  if (w.file == nullptr) {
    std::perror(argv[3]);
    return 1;
  }
  w.header();
  const auto n = std::strtoull(argv[2], nullptr, 10);
  if (std::string(argv[1]) == "flood")
    flood(w, n);
  else if (std::string(argv[1]) == "ntpflood")
    ntpflood(w, n);
  else
    mix(w, n);
  std::fclose(w.file);
  return 0;
}
