// bench/netmon/bare_loop.cpp — the baseline netmon is measured against: a minimal libpcap read
// (pcap_next_ex) + header parse (cw::detect::decode_packet) loop over a capture file, printing
// packets per second as JSON. Nothing else: no flow state, no detectors.
#include <pcap/pcap.h>

#include <chrono>
#include <cstdio>

#include "detect/packet.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: netmon_bare_loop FILE\n");
    return 2;
  }
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle =
      pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, error);
  if (handle == nullptr) {
    std::fprintf(stderr, "%s\n", error);
    return 1;
  }
  const auto link = static_cast<cw::LinkType>(pcap_datalink(handle));
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t packets = 0, tcp = 0;
  pcap_pkthdr* header = nullptr;
  const u_char* bytes = nullptr;
  cw::detect::DecodedPacket packet;
  while (pcap_next_ex(handle, &header, &bytes) == 1) {
    ++packets;
    const auto time = cw::from_unix_ns(header->ts.tv_sec * 1'000'000'000LL + header->ts.tv_usec);
    if (cw::detect::decode_packet(link, std::as_bytes(std::span{bytes, header->caplen}), time,
                                  packet) == cw::detect::DecodeStatus::ok &&
        packet.transport == cw::detect::Transport::tcp)
      ++tcp;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  pcap_close(handle);
  std::printf(
      "{\"packets\": %llu, \"tcp\": %llu, \"elapsed_seconds\": %.6f, \"packets_per_second\": "
      "%.0f}\n",
      static_cast<unsigned long long>(packets), static_cast<unsigned long long>(tcp), seconds,
      static_cast<double>(packets) / seconds);
  return 0;
}
