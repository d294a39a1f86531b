// ntp/nts/key_export.h — the TLS exporter parameters of NTS (RFC 8915 §4.3, §5.1): the label and
// the per-direction context from which both sides derive the client-to-server (C2S) and
// server-to-client (S2C) AEAD keys. The TLS library computes the exporter at the edge; this says
// what to ask it for.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ntp/nts/aead.h"
#include "ntp/nts/ke_records.h"

namespace cw::ntp::nts {

inline constexpr std::string_view kExporterLabel = "EXPORTER-network-time-security";

enum class Direction : std::uint8_t { client_to_server = 0, server_to_client = 1 };

// Protocol id (2 bytes) ‖ AEAD id (2 bytes) ‖ 0x00 (C2S) or 0x01 (S2C), big-endian (§5.1).
constexpr std::array<std::byte, 5> exporter_context(AeadId aead, Direction direction,
                                                    std::uint16_t protocol = kProtocolNtpV4) {
  const auto id = static_cast<std::uint16_t>(aead);
  return {std::byte(protocol >> 8), std::byte(protocol & 0xff), std::byte(id >> 8),
          std::byte(id & 0xff), std::byte(static_cast<std::uint8_t>(direction))};
}

// The two keys of one NTS association, as exported.
struct SessionKeys {
  AeadId aead = AeadId::aes_siv_cmac_256;
  std::array<std::byte, kMaxKeySize> c2s{};
  std::array<std::byte, kMaxKeySize> s2c{};
};

}  // namespace cw::ntp::nts
