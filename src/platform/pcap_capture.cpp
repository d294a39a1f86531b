// platform/pcap_capture.cpp — libpcap handles for platform/pcap_capture.h.
#include "platform/pcap_capture.h"

#include <linux/capability.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <stdexcept>
#include <utility>

namespace cw::platform {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& detail) {
  throw std::runtime_error(what + ": " + detail);
}

struct DispatchContext {
  void* user;
  void (*callback)(void*, Timestamp, std::span<const std::byte>);
};

void on_pcap_packet(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
  auto* context = reinterpret_cast<DispatchContext*>(user);
  // Handles are opened with nanosecond precision: tv_usec holds nanoseconds.
  const auto ns =
      std::int64_t{header->ts.tv_sec} * 1'000'000'000 + std::int64_t{header->ts.tv_usec};
  context->callback(context->user, from_unix_ns(ns),
                    std::as_bytes(std::span{bytes, std::size_t{header->caplen}}));
}

void apply_filter(pcap_t* handle, const std::string& filter) {
  if (filter.empty()) return;
  bpf_program program{};
  if (pcap_compile(handle, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
    fail("BPF filter '" + filter + "'", pcap_geterr(handle));
  const int set = pcap_setfilter(handle, &program);
  pcap_freecode(&program);
  if (set != 0) fail("BPF filter '" + filter + "'", pcap_geterr(handle));
}

}  // namespace

PcapCapture::PcapCapture(pcap* handle, bool live)
    : handle_(handle), link_(static_cast<LinkType>(pcap_datalink(handle))), live_(live) {
  if (!is_supported(link_)) {
    const int dlt = pcap_datalink(handle);
    pcap_close(handle_);
    handle_ = nullptr;
    fail("capture", "unsupported link type " + std::to_string(dlt) + " (" +
                        (pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?") +
                        ")");
  }
}

PcapCapture PcapCapture::open_file(const std::string& path) {
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, error);
  if (handle == nullptr) fail("cannot read capture file " + path, error);
  return PcapCapture(handle, false);
}

PcapCapture PcapCapture::open_live(const CaptureOptions& o) {
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_create(o.interface.c_str(), error);
  if (handle == nullptr) fail("cannot capture on " + o.interface, error);
  pcap_set_snaplen(handle, o.snaplen);
  pcap_set_promisc(handle, o.promiscuous ? 1 : 0);
  pcap_set_timeout(handle, o.timeout_ms);
  pcap_set_immediate_mode(handle, 1);
  pcap_set_buffer_size(handle, o.buffer_bytes);
  pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO);
  if (const int status = pcap_activate(handle); status < 0) {
    std::string detail =
        status == PCAP_ERROR_PERM_DENIED
            ? "permission denied (needs CAP_NET_RAW: run as root or setcap cap_net_raw+ep)"
            : pcap_geterr(handle);
    pcap_close(handle);
    fail("cannot capture on " + o.interface, detail);
  }
  PcapCapture capture(handle, true);
  apply_filter(handle, o.filter);
  if (pcap_setnonblock(handle, 1, error) != 0) fail("cannot capture on " + o.interface, error);
  capture.selectable_fd_ = pcap_get_selectable_fd(handle);
  capture.wait_ms_ = o.timeout_ms;
  if (capture.selectable_fd_ < 0)
    fail("cannot capture on " + o.interface, "no descriptor to wait on");
  return capture;
}

PcapCapture::PcapCapture(PcapCapture&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      selectable_fd_(std::exchange(other.selectable_fd_, -1)),
      wait_ms_(other.wait_ms_),
      link_(other.link_),
      live_(other.live_) {}

PcapCapture& PcapCapture::operator=(PcapCapture&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) pcap_close(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    selectable_fd_ = std::exchange(other.selectable_fd_, -1);
    wait_ms_ = other.wait_ms_;
    link_ = other.link_;
    live_ = other.live_;
  }
  return *this;
}

PcapCapture::~PcapCapture() {
  if (handle_ != nullptr) pcap_close(handle_);
}

int PcapCapture::dispatch_raw(int max, Callback callback, void* user) {
  DispatchContext context{user, callback};
  const int n = pcap_dispatch(handle_, max, on_pcap_packet, reinterpret_cast<u_char*>(&context));
  if (n == PCAP_ERROR) fail("capture", pcap_geterr(handle_));
  if (n == PCAP_ERROR_BREAK) return 0;
  if (n == 0 && !live_) return -1;  // end of file
  return n;
}

void PcapCapture::break_loop() {
  if (handle_ != nullptr) pcap_breakloop(handle_);
}

bool PcapCapture::wait_for_frames() {
  if (selectable_fd_ < 0) return true;  // a file: frames are always there until its end
  pollfd readable{selectable_fd_, POLLIN, 0};
  return ::poll(&readable, 1, wait_ms_) >
         0;  // EINTR too is a wake-up: the caller's loop comes back
}

CaptureStats PcapCapture::stats() const {
  pcap_stat s{};
  if (!live_ || pcap_stats(handle_, &s) != 0) return {};
  return {s.ps_recv, s.ps_drop, s.ps_ifdrop};
}

bool drop_all_capabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  const bool dropped = syscall(SYS_capset, &header, data) == 0;
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && dropped;
}

}  // namespace cw::platform
