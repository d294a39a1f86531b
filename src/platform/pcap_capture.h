// platform/pcap_capture.h — libpcap at the OS edge: live capture on an interface (immediate mode,
// a sized kernel buffer, optional BPF filter; needs CAP_NET_RAW) or offline reading of pcap and
// pcapng files. Frames are delivered as (timestamp in ns, bytes) straight from libpcap's buffer,
// without copies or allocation per packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>

#include "core/link_type.h"
#include "core/time.h"

struct pcap;
struct pcap_pkthdr;

namespace cw::platform {

struct CaptureOptions {
  std::string interface;
  std::string filter;  // BPF expression, empty for everything
  int snaplen = 65535;
  int buffer_bytes = 16 * 1024 * 1024;  // kernel ring buffer
  bool promiscuous = false;
  int timeout_ms = 100;  // how long wait_for_frames waits on a quiet link
};

struct CaptureStats {
  std::uint64_t received = 0;    // by the filter (live only)
  std::uint64_t dropped = 0;     // by the kernel for lack of buffer space
  std::uint64_t if_dropped = 0;  // by the interface or driver
};

class PcapCapture {
 public:
  // Both throw std::runtime_error with libpcap's message (missing file, no permission, bad filter).
  static PcapCapture open_file(const std::string& path);
  static PcapCapture open_live(const CaptureOptions& options);

  PcapCapture(PcapCapture&& other) noexcept;
  PcapCapture& operator=(PcapCapture&& other) noexcept;
  PcapCapture(const PcapCapture&) = delete;
  PcapCapture& operator=(const PcapCapture&) = delete;
  ~PcapCapture();

  LinkType link_type() const { return link_; }
  bool is_live() const { return live_; }

  // Delivers up to `max` frames (−1: a buffer's worth) to on_frame(Timestamp, span<const byte>).
  // Returns how many; 0 when a live capture has nothing buffered (live reads never block: call
  // wait_for_frames first); −1 at the end of a file; throws on a capture error.
  template <typename OnFrame>
  int dispatch(int max, OnFrame&& on_frame) {
    return dispatch_raw(max, &trampoline<std::remove_reference_t<OnFrame>>, &on_frame);
  }
  // Live: waits until frames are buffered or timeout_ms has passed, and says whether any are.
  // libpcap's own read timeout cannot be trusted to return on a quiet link (with immediate mode
  // on Linux it waits for the next frame), so live handles are non-blocking and waiting is ours.
  bool wait_for_frames();
  // From any thread or a signal handler: makes the current dispatch return early (a wait in
  // wait_for_frames still runs out its timeout_ms).
  void break_loop();
  CaptureStats stats() const;

 private:
  using Callback = void (*)(void* user, Timestamp time, std::span<const std::byte> frame);
  template <typename OnFrame>
  static void trampoline(void* user, Timestamp time, std::span<const std::byte> frame) {
    (*static_cast<OnFrame*>(user))(time, frame);
  }
  PcapCapture(pcap* handle, bool live);
  int dispatch_raw(int max, Callback callback, void* user);

  pcap* handle_ = nullptr;
  int selectable_fd_ = -1;  // live only
  int wait_ms_ = 0;
  LinkType link_ = LinkType::ethernet;
  bool live_ = false;
};

// Gives up every capability of the calling thread and forbids gaining new ones
// (PR_SET_NO_NEW_PRIVS): for a capture process once its capture handle is open. Returns false when
// the kernel refused.
bool drop_all_capabilities();

}  // namespace cw::platform
