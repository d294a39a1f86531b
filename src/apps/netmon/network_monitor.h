// apps/netmon/network_monitor.h — the network monitor as one reusable piece: a pcap capture (file
// or live interface) feeding cw::detect::NetworkDetectors, whose events go to a callback. Used by
// `chronowatch netmon` and by `chronowatch agent --interface IF`. Everything (capture, detectors,
// the callback) runs on the thread that calls run(); stop() may be called from any thread.
#pragma once

#include <atomic>
#include <optional>

#include "core/clock.h"
#include "detect/network_detectors.h"
#include "platform/pcap_capture.h"

namespace cw::apps {

class NetworkMonitor {
 public:
  // `clock`: when a quiet live link advances the detectors, and the end of a `duration`.
  NetworkMonitor(const detect::NetmonConfig& config, detect::EventSink sink, Clock& clock);

  // Opens the source (throws std::runtime_error with a clear message on failure). Open before
  // dropping privileges: the open handle keeps working without CAP_NET_RAW.
  void open_file(const std::string& path);
  void open_live(const platform::CaptureOptions& options);

  // Reads until the file ends, stop() is called, `*stop_flag` turns true (e.g. a signal flag,
  // checked at least every read timeout) or (live) `duration` has passed, then reports whatever
  // attacks are still open. Returns the number of frames read.
  std::uint64_t run(std::optional<Duration> duration = std::nullopt,
                    const std::atomic<bool>* stop_flag = nullptr);
  void stop();

  detect::NetmonStats stats() const { return detectors_.stats(); }
  platform::CaptureStats capture_stats() const {
    return capture_ ? capture_->stats() : platform::CaptureStats{};
  }

 private:
  detect::NetworkDetectors detectors_;
  std::optional<platform::PcapCapture> capture_;
  Clock& clock_;
  std::atomic<bool> stop_{false};
};

}  // namespace cw::apps
