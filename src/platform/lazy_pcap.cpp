// platform/lazy_pcap.cpp — the libpcap functions chronowatch calls, loaded on first use
// (platform/lazy_library.h explains why). A new pcap_* call that is not listed here fails to
// link with "undefined reference": add one line below.
#include <pcap/pcap.h>

#include "platform/lazy_library.h"

namespace {
cw::platform::LazyLibrary& libpcap() {
  static cw::platform::LazyLibrary library{"libpcap.so.0.8", "libpcap0.8"};
  return library;
}
}  // namespace

// clang-format off
CW_LAZY_FUNCTION(libpcap(), pcap_t*, pcap_create, (const char* d, char* e), (d, e))
CW_LAZY_FUNCTION(libpcap(), pcap_t*, pcap_open_offline, (const char* f, char* e), (f, e))
CW_LAZY_FUNCTION(libpcap(), pcap_t*, pcap_open_offline_with_tstamp_precision,
                 (const char* f, u_int p, char* e),
                 (f, p, e))
CW_LAZY_FUNCTION(libpcap(), pcap_t*, pcap_open_live, (const char* d, int s, int p, int t, char* e),
                 (d, s, p, t, e))
CW_LAZY_FUNCTION(libpcap(), int, pcap_activate, (pcap_t* p), (p))
CW_LAZY_FUNCTION(libpcap(), void, pcap_breakloop, (pcap_t* p), (p))
CW_LAZY_FUNCTION(libpcap(), void, pcap_close, (pcap_t* p), (p))
CW_LAZY_FUNCTION(libpcap(), int, pcap_compile,
                 (pcap_t* p, struct bpf_program* b, const char* s, int o, bpf_u_int32 m),
                 (p, b, s, o, m))
CW_LAZY_FUNCTION(libpcap(), void, pcap_freecode, (struct bpf_program* b), (b))
CW_LAZY_FUNCTION(libpcap(), int, pcap_setfilter, (pcap_t* p, struct bpf_program* b), (p, b))
CW_LAZY_FUNCTION(libpcap(), int, pcap_datalink, (pcap_t* p), (p))
CW_LAZY_FUNCTION(libpcap(), const char*, pcap_datalink_val_to_name, (int d), (d))
CW_LAZY_FUNCTION(libpcap(), int, pcap_dispatch, (pcap_t* p, int n, pcap_handler h, u_char* u),
                 (p, n, h, u))
CW_LAZY_FUNCTION(libpcap(), int, pcap_next_ex,
                 (pcap_t* p, struct pcap_pkthdr** h, const u_char** d),
                 (p, h, d))
CW_LAZY_FUNCTION(libpcap(), char*, pcap_geterr, (pcap_t* p), (p))
CW_LAZY_FUNCTION(libpcap(), const char*, pcap_statustostr, (int s), (s))
CW_LAZY_FUNCTION(libpcap(), int, pcap_set_buffer_size, (pcap_t* p, int n), (p, n))
CW_LAZY_FUNCTION(libpcap(), int, pcap_set_immediate_mode, (pcap_t* p, int v), (p, v))
CW_LAZY_FUNCTION(libpcap(), int, pcap_set_promisc, (pcap_t* p, int v), (p, v))
CW_LAZY_FUNCTION(libpcap(), int, pcap_set_snaplen, (pcap_t* p, int v), (p, v))
CW_LAZY_FUNCTION(libpcap(), int, pcap_set_timeout, (pcap_t* p, int v), (p, v))
CW_LAZY_FUNCTION(libpcap(), int, pcap_set_tstamp_precision, (pcap_t* p, int v), (p, v))
CW_LAZY_FUNCTION(libpcap(), int, pcap_get_selectable_fd, (pcap_t* p), (p))
CW_LAZY_FUNCTION(libpcap(), int, pcap_setnonblock, (pcap_t* p, int v, char* e), (p, v, e))
CW_LAZY_FUNCTION(libpcap(), int, pcap_stats, (pcap_t* p, struct pcap_stat* s), (p, s))
CW_LAZY_FUNCTION(libpcap(), int, pcap_findalldevs, (pcap_if_t** d, char* e), (d, e))
CW_LAZY_FUNCTION(libpcap(), void, pcap_freealldevs, (pcap_if_t* d), (d))
// clang-format on
