// core/crc32c.h — CRC-32C (Castagnoli, as in iSCSI, ext4 and RFC 3720), the checksum of every
// record chronowatch keeps on disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace cw {

// Extends `crc` (0 to start) over `bytes`; crc32c("123456789") == 0xE3069283.
std::uint32_t crc32c(std::span<const std::byte> bytes, std::uint32_t crc = 0);

}  // namespace cw
