// ntp/nts/ke_records.h — NTS Key Establishment messages (RFC 8915 §4): records of critical bit,
// 15-bit type, 16-bit body length and body; what a request and a response must contain (§4.1);
// a typed reason for every rejection; the 16 KiB message cap. Pure: bytes in, values out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ntp/nts/aead.h"

namespace cw::ntp::nts {

inline constexpr std::size_t kMaxKeMessageSize = 16 * 1024;  // a message larger than this is junk
inline constexpr std::uint16_t kProtocolNtpV4 = 0;           // IANA "NTS Next Protocols"
inline constexpr std::uint16_t kDefaultKePort = 4460;        // RFC 8915 §4
inline constexpr std::size_t kMaxCookieSize = 256;           // longer cookies are refused

using Cookie = std::vector<std::byte>;

// IANA "NTS Key Establishment Record Types" (RFC 8915 §7.6).
enum class RecordType : std::uint16_t {
  end_of_message = 0,
  next_protocol = 1,
  error = 2,
  warning = 3,
  aead_algorithm = 4,
  new_cookie = 5,
  server = 6,
  port = 7,
};

// RFC 8915 §4.1.3: the Error record's codes.
enum class KeErrorCode : std::uint16_t {
  unrecognized_critical_record = 0,
  bad_request = 1,
  internal_server_error = 2,
};

struct Record {
  bool critical = false;
  std::uint16_t type = 0;  // 15 bits
  std::span<const std::byte> body;
};

// Why a KE message was refused.
enum class KeRejection : std::uint8_t {
  truncated,              // a record's header or body runs past the message
  too_large,              // over kMaxKeMessageSize without an End of Message
  missing_end,            // no End of Message record
  data_after_end,         // bytes after End of Message
  unrecognized_critical,  // a critical record of a type we do not know (§4)
  bad_record_body,        // a known record with a body of the wrong shape
  missing_next_protocol,  // no Next Protocol Negotiation record (mandatory, §4.1.2)
  duplicate_record,       // a record that may appear once appears twice
  no_common_protocol,     // NTPv4 not offered / not chosen
  missing_aead,           // no AEAD Algorithm Negotiation record with NTPv4 (§4.1.5)
  no_common_aead,         // no AEAD we implement offered / chosen
  server_error,           // the server sent an Error record (code in KeResponse::error)
  no_cookies,             // a response without a New Cookie record
  bad_cookie,             // an empty cookie, longer than kMaxCookieSize, or not 4·n bytes
  unexpected_record,      // a record the other side must not send (e.g. cookies in a request)
};
std::string_view to_string(KeRejection reason);

// Reads the record at the start of `bytes`.
Result<Record, KeRejection> read_record(std::span<const std::byte> bytes);
// Appends one record; false if the body does not fit a 16-bit length.
bool append_record(std::vector<std::byte>& out, bool critical, RecordType type,
                   std::span<const std::byte> body);
bool append_u16_record(std::vector<std::byte>& out, bool critical, RecordType type,
                       std::span<const std::uint16_t> values);

// For a stream reader: the length of the message up to and including its End of Message record
// when `bytes` holds all of it; nullopt when more bytes are needed; an error when what arrived can
// never become a valid message (over the cap, a truncated record past the cap).
Result<std::optional<std::size_t>, KeRejection> message_length(std::span<const std::byte> bytes);

// What a client asks for (§4.1.2, §4.1.5), as a server reads it.
struct KeRequest {
  std::vector<std::uint16_t> protocols;
  std::vector<std::uint16_t> aeads;
  std::optional<std::string> server;  // the client's hint (§4.1.7), ignored by us
  std::optional<std::uint16_t> port;  // likewise
};
Result<KeRequest, KeRejection> parse_request(std::span<const std::byte> message);
// The request our client sends: NTPv4 and the AEADs we implement, each critical (§4.1.2).
std::vector<std::byte> write_request(std::span<const AeadId> aeads);

// What a server answered, as a client reads it.
struct KeResponse {
  AeadId aead = AeadId::aes_siv_cmac_256;
  std::vector<Cookie> cookies;
  std::optional<std::string> server;  // NTPv4 Server Negotiation (§4.1.7)
  std::optional<std::uint16_t> port;  // NTPv4 Port Negotiation (§4.1.8)
  std::vector<std::uint16_t> warnings;
};
Result<KeResponse, KeRejection> parse_response(std::span<const std::byte> message);
// The code of the first Error record in a message, if it has one (for the server_error message).
std::optional<std::uint16_t> error_code(std::span<const std::byte> message);

// What our server answers: the chosen protocol and AEAD, the port record when the NTP port is not
// 123 (critical, as chrony sends it), the cookies, End of Message.
std::vector<std::byte> write_response(AeadId aead, std::optional<std::uint16_t> port,
                                      std::span<const Cookie> cookies);
// An Error record and End of Message (§4.1.3).
std::vector<std::byte> write_error(KeErrorCode code);
// The error code a server sends for a request refused with `reason`.
KeErrorCode error_for(KeRejection reason);

// The server's choice for a parsed request (§4.1.2, §4.1.5): NTPv4 and the first AEAD of the
// client's list that we implement.
Result<AeadId, KeRejection> choose(const KeRequest& request);

}  // namespace cw::ntp::nts
