// apps/netmon/netmon_output.h — how `chronowatch netmon` prints: one JSON object per line per event
// (the one JSON form of an Event, events/json_codec.h) and a closing summary object (`--json`), or
// one readable line per event and a summary paragraph.
#pragma once

#include <cstdint>
#include <string>

#include "detect/network_detectors.h"
#include "events/event.h"
#include "platform/pcap_capture.h"

namespace cw::apps {

std::string event_json_line(const events::Event& event);
std::string event_text_line(const events::Event& event);

struct RunFacts {
  double elapsed_seconds = 0;  // wall time of the run
  std::uint64_t max_rss_bytes = 0;
  platform::CaptureStats capture;
  std::string source;  // file or interface
};
std::string summary_json_line(const detect::NetmonStats& stats, const RunFacts& facts);
std::string summary_text(const detect::NetmonStats& stats, const RunFacts& facts);

}  // namespace cw::apps
