// fuzz/store_archive.cpp — the cold tier's archive files and the warm blocks inside them
// (store/archive_file.h, store/warm_tier.h): any bytes decode or fail with std::runtime_error,
// and what decodes re-packs into an archive that decodes to the same events.
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>

#include "store/archive_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span bytes{reinterpret_cast<const std::byte*>(data), size};
  std::vector<cw::store::StoredEvent> events;
  try {
    events = cw::store::decode_archive(bytes);
  } catch (const std::runtime_error&) {
    return 0;
  }
  const auto again = cw::store::decode_archive(cw::store::encode_archive(
      cw::store::make_blocks(std::vector<cw::store::StoredEvent>{events.begin(), events.end()})));
  if (again.size() > events.size()) __builtin_trap();  // duplicates by sequence collapse, no more
  return 0;
}
