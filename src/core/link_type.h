// core/link_type.h — the link layer of a captured frame, as libpcap's pcap_datalink() reports it
// (DLT_*) plus the LINKTYPE_* aliases that appear in files, so a value from either source is
// understood. Shared vocabulary: the capture (platform) reports it, the decoder (detect) reads it.
#pragma once

#include <cstdint>

namespace cw {

enum class LinkType : std::uint32_t {
  null_loopback = 0,  // DLT_NULL: 4-byte address family in host order
  ethernet = 1,       // DLT_EN10MB
  raw = 12,           // DLT_RAW on Linux (14 on OpenBSD, LINKTYPE_RAW 101 in files)
  raw_openbsd = 14,
  raw_linktype = 101,
  linux_sll = 113,   // Linux cooked capture v1
  ipv4 = 228,        // LINKTYPE_IPV4
  ipv6 = 229,        // LINKTYPE_IPV6
  linux_sll2 = 276,  // Linux cooked capture v2
};

// Whether a value (from pcap_datalink or a file header) is one of the link types above: the ones
// detect::decode_packet understands.
constexpr bool is_supported(LinkType type) {
  switch (type) {
    case LinkType::null_loopback:
    case LinkType::ethernet:
    case LinkType::raw:
    case LinkType::raw_openbsd:
    case LinkType::raw_linktype:
    case LinkType::linux_sll:
    case LinkType::ipv4:
    case LinkType::ipv6:
    case LinkType::linux_sll2:
      return true;
  }
  return false;
}

}  // namespace cw
