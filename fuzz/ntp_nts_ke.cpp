// Fuzz target: NTS-KE messages (RFC 8915 §4). message_length, parse_request and parse_response
// never read past their input; a message they accept as a request or response re-encodes into one
// they accept again with the same content; the stream reader's length never exceeds the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ntp/nts/ke_records.h"

using namespace cw::ntp::nts;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(size);
  if (size) std::memcpy(bytes.data(), data, size);

  const auto length = message_length(bytes);
  if (length && *length && **length > bytes.size()) std::abort();

  if (const auto request = parse_request(bytes)) {
    if (bytes.size() > kMaxKeMessageSize) std::abort();
    if (const auto aead = choose(*request)) {
      const AeadId aeads[] = {*aead};
      const auto again = parse_request(write_request(aeads));
      if (!again || choose(*again).value() != *aead) std::abort();
    }
  }
  if (const auto response = parse_response(bytes)) {
    if (response->cookies.empty()) std::abort();
    const auto again =
        parse_response(write_response(response->aead, response->port, response->cookies));
    if (!again || again->cookies != response->cookies || again->port != response->port)
      std::abort();
  }
  (void)error_code(bytes);
  return 0;
}
