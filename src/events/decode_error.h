// events/decode_error.h — why an encoded event, hello or batch was rejected: one reason shared by
// the binary, MessagePack and JSON decoders, so receivers can count rejections by cause.
#pragma once

#include <cstdint>
#include <string_view>

namespace cw::events {

enum class DecodeError : std::uint8_t {
  truncated,         // a field runs past the end of the input
  bad_version,       // wire version this build does not speak
  bad_message_kind,  // not a hello / batch (binary) or not an object (JSON, MessagePack)
  bad_event_type,    // unknown event type value or name
  bad_severity,      // unknown severity value or name
  bad_flags,         // reserved flag bits set, or an unknown data kind
  bad_field_mask,    // unknown bits in a typed-data presence mask
  bad_address,       // address family other than 4/6, or an unparsable address text
  bad_string_ref,    // back-reference to a string the batch has not carried yet
  too_long,          // a string longer than its limit
  too_many,          // more events, addresses, ports or attributes than the limits allow
  bad_value,         // a number out of its range (port > 65535, negative count, ...)
  trailing_bytes,    // bytes left after a complete message
  bad_agent_id,      // empty or over-long agent id
  bad_syntax,        // not parseable as JSON / MessagePack at all
  missing_field,     // a required field is absent
  wrong_field_type,  // a field has the wrong JSON / MessagePack type
};

std::string_view to_string(DecodeError error);

// Limits every decoder enforces, so hostile lengths cannot make a receiver allocate much.
inline constexpr std::size_t kMaxAgentIdLength = 255;
inline constexpr std::size_t kMaxStringLength = 4096;
inline constexpr std::size_t kMaxAddresses = 64;
inline constexpr std::size_t kMaxPorts = 1024;
inline constexpr std::size_t kMaxAttributes = 64;
inline constexpr std::size_t kMaxBatchEvents = 65536;

}  // namespace cw::events
