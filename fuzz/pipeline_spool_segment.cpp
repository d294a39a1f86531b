// Fuzz target: scanning a spool segment never reads past the bytes, and what it accepts
// re-encodes to exactly the valid prefix it reported.
#include <cstdlib>
#include <vector>

#include "pipeline/spool_record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span{data, size});
  const auto scan = cw::pipeline::scan_spool_segment(bytes);
  std::vector<std::byte> again;
  for (const auto& record : scan.records)
    cw::pipeline::encode_spool_record(record.id, record.payload, again);
  if (again.size() != scan.valid_bytes) std::abort();
  if (!std::equal(again.begin(), again.end(), bytes.begin())) std::abort();
  return 0;
}
