// ntp/nts/ke_records.cpp — NTS-KE record codec and message rules (RFC 8915 §4, see ke_records.h).
#include "ntp/nts/ke_records.h"

#include <algorithm>

#include "core/bytes.h"

namespace cw::ntp::nts {
namespace {

constexpr std::uint16_t kCriticalBit = 0x8000;

bool known(std::uint16_t type) { return type <= static_cast<std::uint16_t>(RecordType::port); }

Result<std::vector<std::uint16_t>, KeRejection> u16_list(std::span<const std::byte> body) {
  if (body.size() % 2 != 0) return fail(KeRejection::bad_record_body);
  std::vector<std::uint16_t> values;
  ByteReader reader{body};
  while (auto v = reader.u16()) values.push_back(*v);
  return values;
}

// Walks the records of a whole message, up to End of Message, calling on_record for each one.
template <typename F>
std::optional<KeRejection> for_each_record(std::span<const std::byte> message, F&& on_record) {
  if (message.size() > kMaxKeMessageSize) return KeRejection::too_large;
  std::size_t at = 0;
  while (at < message.size()) {
    auto record = read_record(message.subspan(at));
    if (!record) return record.error();
    at += 4 + record->body.size();
    if (record->type == static_cast<std::uint16_t>(RecordType::end_of_message)) {
      if (!record->body.empty()) return KeRejection::bad_record_body;
      return at == message.size() ? std::nullopt : std::optional(KeRejection::data_after_end);
    }
    if (!known(record->type)) {
      if (record->critical) return KeRejection::unrecognized_critical;
      continue;  // §4: a receiver ignores a non-critical record it does not know
    }
    if (auto r = on_record(*record)) return r;
  }
  return KeRejection::missing_end;
}

std::string text(std::span<const std::byte> body) {
  return std::string(reinterpret_cast<const char*>(body.data()), body.size());
}

}  // namespace

std::string_view to_string(KeRejection reason) {
  switch (reason) {
    case KeRejection::truncated:
      return "a record runs past the end of the message";
    case KeRejection::too_large:
      return "the message is larger than 16 KiB";
    case KeRejection::missing_end:
      return "the message has no End of Message record";
    case KeRejection::data_after_end:
      return "bytes follow the End of Message record";
    case KeRejection::unrecognized_critical:
      return "a critical record of an unknown type";
    case KeRejection::bad_record_body:
      return "a record's body has the wrong length or form";
    case KeRejection::missing_next_protocol:
      return "no Next Protocol Negotiation record";
    case KeRejection::duplicate_record:
      return "a record that may appear once appears twice";
    case KeRejection::no_common_protocol:
      return "NTPv4 was not negotiated";
    case KeRejection::missing_aead:
      return "no AEAD Algorithm Negotiation record";
    case KeRejection::no_common_aead:
      return "no AEAD algorithm in common (we implement AEAD_AES_SIV_CMAC_256, id 15)";
    case KeRejection::server_error:
      return "the server sent an Error record";
    case KeRejection::no_cookies:
      return "the server sent no cookie";
    case KeRejection::bad_cookie:
      return "a cookie is empty, too long or not a multiple of 4 bytes";
    case KeRejection::unexpected_record:
      return "a record that this side must not send";
  }
  return "rejected";
}

Result<Record, KeRejection> read_record(std::span<const std::byte> bytes) {
  ByteReader reader{bytes};
  const auto type = reader.u16();
  const auto length = reader.u16();
  if (!type || !length) return fail(KeRejection::truncated);
  const auto body = reader.bytes(*length);
  if (!body) return fail(KeRejection::truncated);
  return Record{(*type & kCriticalBit) != 0, static_cast<std::uint16_t>(*type & ~kCriticalBit),
                *body};
}

bool append_record(std::vector<std::byte>& out, bool critical, RecordType type,
                   std::span<const std::byte> body) {
  if (body.size() > 0xffff) return false;
  const auto t =
      static_cast<std::uint16_t>(static_cast<std::uint16_t>(type) | (critical ? kCriticalBit : 0));
  const auto n = static_cast<std::uint16_t>(body.size());
  for (std::uint16_t v : {t, n}) {
    out.push_back(std::byte(v >> 8));
    out.push_back(std::byte(v & 0xff));
  }
  out.insert(out.end(), body.begin(), body.end());
  return true;
}

bool append_u16_record(std::vector<std::byte>& out, bool critical, RecordType type,
                       std::span<const std::uint16_t> values) {
  std::vector<std::byte> body;
  for (std::uint16_t v : values) {
    body.push_back(std::byte(v >> 8));
    body.push_back(std::byte(v & 0xff));
  }
  return append_record(out, critical, type, body);
}

Result<std::optional<std::size_t>, KeRejection> message_length(std::span<const std::byte> bytes) {
  std::size_t at = 0;
  while (at + 4 <= bytes.size()) {
    auto record = read_record(bytes.subspan(at));
    if (!record) break;  // the rest of this record has not arrived yet
    at += 4 + record->body.size();
    if (at > kMaxKeMessageSize) return fail(KeRejection::too_large);
    if (record->type == static_cast<std::uint16_t>(RecordType::end_of_message))
      return std::optional<std::size_t>(at);
  }
  if (bytes.size() >= kMaxKeMessageSize) return fail(KeRejection::too_large);
  return std::optional<std::size_t>();
}

Result<KeRequest, KeRejection> parse_request(std::span<const std::byte> message) {
  KeRequest request;
  bool has_protocols = false;
  bool has_aeads = false;
  auto rejected = for_each_record(message, [&](const Record& r) -> std::optional<KeRejection> {
    switch (static_cast<RecordType>(r.type)) {
      case RecordType::next_protocol: {
        if (has_protocols) return KeRejection::duplicate_record;
        auto list = u16_list(r.body);
        if (!list) return list.error();
        request.protocols = std::move(*list);
        has_protocols = true;
        return std::nullopt;
      }
      case RecordType::aead_algorithm: {
        if (has_aeads) return KeRejection::duplicate_record;
        auto list = u16_list(r.body);
        if (!list) return list.error();
        request.aeads = std::move(*list);
        has_aeads = true;
        return std::nullopt;
      }
      case RecordType::server:
        request.server = text(r.body);
        return std::nullopt;
      case RecordType::port:
        if (r.body.size() != 2) return KeRejection::bad_record_body;
        request.port =
            static_cast<std::uint16_t>(std::uint16_t(r.body[0]) << 8 | std::uint16_t(r.body[1]));
        return std::nullopt;
      case RecordType::warning:
        return std::nullopt;
      default:  // error and new cookie come from servers only (§4.1.3, §4.1.6)
        return KeRejection::unexpected_record;
    }
  });
  if (rejected) return fail(*rejected);
  if (!has_protocols) return fail(KeRejection::missing_next_protocol);
  return request;
}

Result<AeadId, KeRejection> choose(const KeRequest& request) {
  if (std::find(request.protocols.begin(), request.protocols.end(), kProtocolNtpV4) ==
      request.protocols.end())
    return fail(KeRejection::no_common_protocol);
  if (request.aeads.empty()) return fail(KeRejection::missing_aead);
  for (std::uint16_t id : request.aeads)
    if (auto aead = aead_from_id(id)) return *aead;
  return fail(KeRejection::no_common_aead);
}

std::vector<std::byte> write_request(std::span<const AeadId> aeads) {
  std::vector<std::byte> out;
  const std::uint16_t protocol = kProtocolNtpV4;
  append_u16_record(out, true, RecordType::next_protocol, std::span(&protocol, 1));
  std::vector<std::uint16_t> ids;
  for (AeadId id : aeads) ids.push_back(static_cast<std::uint16_t>(id));
  append_u16_record(out, true, RecordType::aead_algorithm, ids);
  append_record(out, true, RecordType::end_of_message, {});
  return out;
}

std::optional<std::uint16_t> error_code(std::span<const std::byte> message) {
  std::size_t at = 0;
  while (at < message.size()) {
    auto record = read_record(message.subspan(at));
    if (!record) return std::nullopt;
    at += 4 + record->body.size();
    if (record->type == static_cast<std::uint16_t>(RecordType::error) && record->body.size() == 2)
      return static_cast<std::uint16_t>(std::uint16_t(record->body[0]) << 8 |
                                        std::uint16_t(record->body[1]));
  }
  return std::nullopt;
}

namespace {

struct ResponseReader {
  KeResponse response;
  std::optional<std::vector<std::uint16_t>> protocols;
  std::optional<std::vector<std::uint16_t>> aeads;
  bool error = false;

  std::optional<KeRejection> on(const Record& r) {
    switch (static_cast<RecordType>(r.type)) {
      case RecordType::next_protocol:
      case RecordType::aead_algorithm: {
        auto& slot = r.type == 1 ? protocols : aeads;
        if (slot) return KeRejection::duplicate_record;
        auto list = u16_list(r.body);
        if (!list) return list.error();
        slot = std::move(*list);
        return std::nullopt;
      }
      case RecordType::error:
        if (r.body.size() != 2) return KeRejection::bad_record_body;
        error = true;
        return std::nullopt;
      case RecordType::warning:
        if (r.body.size() != 2) return KeRejection::bad_record_body;
        response.warnings.push_back(
            static_cast<std::uint16_t>(std::uint16_t(r.body[0]) << 8 | std::uint16_t(r.body[1])));
        return std::nullopt;
      case RecordType::new_cookie:
        // chrony 4.3 drops cookies whose length is not a multiple of 4 (NKE_MAX_COOKIE_LENGTH).
        if (r.body.empty() || r.body.size() > kMaxCookieSize || r.body.size() % 4 != 0)
          return KeRejection::bad_cookie;
        response.cookies.emplace_back(r.body.begin(), r.body.end());
        return std::nullopt;
      case RecordType::server:
        if (r.body.empty()) return KeRejection::bad_record_body;
        response.server = text(r.body);
        return std::nullopt;
      case RecordType::port:
        if (r.body.size() != 2) return KeRejection::bad_record_body;
        response.port =
            static_cast<std::uint16_t>(std::uint16_t(r.body[0]) << 8 | std::uint16_t(r.body[1]));
        return std::nullopt;
      default:
        return KeRejection::unexpected_record;
    }
  }
};

}  // namespace

Result<KeResponse, KeRejection> parse_response(std::span<const std::byte> message) {
  ResponseReader reader;
  if (auto r = for_each_record(message, [&](const Record& rec) { return reader.on(rec); }))
    return fail(*r);
  if (reader.error) return fail(KeRejection::server_error);
  if (!reader.protocols) return fail(KeRejection::missing_next_protocol);
  // §4.1.2: exactly one protocol in a response; an empty list means none was acceptable.
  if (reader.protocols->size() != 1 || reader.protocols->front() != kProtocolNtpV4)
    return fail(KeRejection::no_common_protocol);
  if (!reader.aeads) return fail(KeRejection::missing_aead);
  if (reader.aeads->size() != 1) return fail(KeRejection::no_common_aead);
  const auto aead = aead_from_id(reader.aeads->front());
  if (!aead) return fail(KeRejection::no_common_aead);
  if (reader.response.cookies.empty()) return fail(KeRejection::no_cookies);
  reader.response.aead = *aead;
  return std::move(reader.response);
}

std::vector<std::byte> write_response(AeadId aead, std::optional<std::uint16_t> port,
                                      std::span<const Cookie> cookies) {
  std::vector<std::byte> out;
  const std::uint16_t protocol = kProtocolNtpV4;
  const auto id = static_cast<std::uint16_t>(aead);
  append_u16_record(out, true, RecordType::next_protocol, std::span(&protocol, 1));
  append_u16_record(out, true, RecordType::aead_algorithm, std::span(&id, 1));
  if (port) append_u16_record(out, true, RecordType::port, std::span(&*port, 1));
  for (const auto& cookie : cookies) append_record(out, false, RecordType::new_cookie, cookie);
  append_record(out, true, RecordType::end_of_message, {});
  return out;
}

std::vector<std::byte> write_error(KeErrorCode code) {
  std::vector<std::byte> out;
  const auto value = static_cast<std::uint16_t>(code);
  append_u16_record(out, true, RecordType::error, std::span(&value, 1));
  append_record(out, true, RecordType::end_of_message, {});
  return out;
}

KeErrorCode error_for(KeRejection reason) {
  return reason == KeRejection::unrecognized_critical ? KeErrorCode::unrecognized_critical_record
                                                      : KeErrorCode::bad_request;
}

}  // namespace cw::ntp::nts
