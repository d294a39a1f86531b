// apps/netmon/network_monitor.cpp — the capture loop of apps/netmon/network_monitor.h.
#include "apps/netmon/network_monitor.h"

#include <stdexcept>

namespace cw::apps {

NetworkMonitor::NetworkMonitor(const detect::NetmonConfig& config, detect::EventSink sink,
                               Clock& clock)
    : detectors_(config, std::move(sink)), clock_(clock) {}

void NetworkMonitor::open_file(const std::string& path) {
  capture_.emplace(platform::PcapCapture::open_file(path));
}

void NetworkMonitor::open_live(const platform::CaptureOptions& options) {
  capture_.emplace(platform::PcapCapture::open_live(options));
}

std::uint64_t NetworkMonitor::run(std::optional<Duration> duration,
                                  const std::atomic<bool>* stop_flag) {
  if (!capture_) throw std::logic_error("NetworkMonitor::run before open");
  const auto link = capture_->link_type();
  std::uint64_t frames = 0;
  auto on_frame = [&](Timestamp time, std::span<const std::byte> frame) {
    detectors_.on_frame(link, frame, time);
    ++frames;
  };
  const auto deadline = clock_.monotonic_now() + duration.value_or(Duration::max() / 2);
  while (!stop_.load(std::memory_order_relaxed) &&
         !(stop_flag && stop_flag->load(std::memory_order_relaxed))) {
    const bool ready = capture_->wait_for_frames();  // a file is always ready
    const int n = ready ? capture_->dispatch(capture_->is_live() ? -1 : 4096, on_frame) : 0;
    if (n < 0) break;  // end of file
    if (capture_->is_live()) {
      detectors_.advance(clock_.now());  // a quiet link still ends attacks and probes
      if (clock_.monotonic_now() >= deadline) break;
    }
  }
  if (capture_->is_live()) {  // what the kernel already holds belongs to this run
    for (int rounds = 0; rounds < 64 && capture_->dispatch(-1, on_frame) > 0; ++rounds) {
    }
  }
  detectors_.flush();
  return frames;
}

void NetworkMonitor::stop() {
  stop_.store(true);
  if (capture_) capture_->break_loop();
}

}  // namespace cw::apps
