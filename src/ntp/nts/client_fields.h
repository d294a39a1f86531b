// ntp/nts/client_fields.h — the client's side of NTS-protected NTP (RFC 8915 §5.7): one request's
// extension fields (unique identifier, one cookie, placeholders for more, the authenticator over
// all of them) and the checks of its reply (unique identifier, authenticator under the S2C key,
// new cookies only inside the encrypted fields, nothing after the authenticator, the NTSN
// Kiss-o'-Death). Pure: the random unique identifier and nonce come from the caller's Random.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "core/random.h"
#include "core/result.h"
#include "ntp/mac.h"
#include "ntp/nts/aead.h"
#include "ntp/nts/fields.h"
#include "ntp/nts/ke_records.h"
#include "ntp/packet.h"

namespace cw::ntp::nts {

// What one NTS request needs: the association's keys, the cookie it spends and how many more it
// asks for. The unique identifier is filled in by write_request_fields().
struct ClientRequest {
  Aead c2s;
  Aead s2c;
  Cookie cookie;
  std::size_t placeholders = 0;  // cookies asked for beyond the one that comes back anyway
  std::array<std::byte, kUniqueIdSize> unique_id{};
};

// Appends the NTS fields after the header in wire[0, used); returns the new size (0: no room).
std::size_t write_request_fields(ClientRequest& request, std::span<std::byte> wire,
                                 std::size_t used, Random& random);

// Checks a reply to `request` (its header already matched the request's origin) and returns the
// new cookies it carries (at least one).
Result<std::vector<Cookie>, AuthError> check_reply_fields(const ClientRequest& request,
                                                          const ParsedPacket& reply);

// True when a reply is the NTSN Kiss-o'-Death (stratum 0, refid "NTSN", §5.7).
bool is_nts_nak(const Packet& header);

}  // namespace cw::ntp::nts
