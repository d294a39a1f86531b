// detect/network_detectors.h — the one list of network detectors: built from the config (one
// entry per family, see kNetDetectorFamilies in the .cpp), it decodes each captured frame and
// hands the packet to every family, all on packet time (which may step backwards: the detectors
// see the latest time so far), runs their expiry every quarter second of packet time and flushes
// them at the end. Events go to the sink; counters are a snapshot for the caller to print. Pure:
// no clock, no I/O, bounded memory.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "detect/detector.h"
#include "detect/net/net_support.h"
#include "detect/netmon_config.h"
#include "detect/packet.h"

namespace cw::detect {

struct NetmonStats {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::uint64_t decoded = 0;
  std::uint64_t not_ip = 0;
  std::uint64_t truncated = 0;
  std::uint64_t malformed = 0;
  std::uint64_t unsupported_link = 0;
  std::uint64_t later_fragments = 0;
  std::uint64_t time_went_backwards = 0;
  Timestamp first_packet{}, last_packet{};
  DetectorCounters detectors;  // events by type, family tallies, table evictions
  std::uint64_t events() const { return detectors.total_events(); }
};

class NetworkDetectors {
 public:
  NetworkDetectors(const NetmonConfig& config, EventSink sink);

  // One captured frame: its link type, bytes and capture timestamp.
  void on_frame(LinkType link, std::span<const std::byte> frame, Timestamp time);
  // A decoded packet (what on_frame calls after decoding; fuzzers and tests may call it directly).
  void on_packet(const DecodedPacket& packet);
  // Lets time pass without packets (live capture on a quiet link): expires probes and attacks.
  void advance(Timestamp now);
  // Ends everything in progress: unanswered probes fail, open attacks are reported.
  void flush();

  NetmonStats stats() const;

 private:
  void tick(Timestamp now);

  NetmonConfig config_;
  EventSink sink_;
  std::vector<std::unique_ptr<NetDetector>> detectors_;
  NetmonStats stats_;
  Timestamp now_{}, next_tick_{};
  bool started_ = false;
  DecodedPacket scratch_;
};

}  // namespace cw::detect
