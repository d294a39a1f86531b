// events/decode_error.cpp — names of decode errors, for logs and counters.
#include "events/decode_error.h"

namespace cw::events {

std::string_view to_string(DecodeError error) {
  switch (error) {
    case DecodeError::truncated:
      return "truncated";
    case DecodeError::bad_version:
      return "bad_version";
    case DecodeError::bad_message_kind:
      return "bad_message_kind";
    case DecodeError::bad_event_type:
      return "bad_event_type";
    case DecodeError::bad_severity:
      return "bad_severity";
    case DecodeError::bad_flags:
      return "bad_flags";
    case DecodeError::bad_field_mask:
      return "bad_field_mask";
    case DecodeError::bad_address:
      return "bad_address";
    case DecodeError::bad_string_ref:
      return "bad_string_ref";
    case DecodeError::too_long:
      return "too_long";
    case DecodeError::too_many:
      return "too_many";
    case DecodeError::bad_value:
      return "bad_value";
    case DecodeError::trailing_bytes:
      return "trailing_bytes";
    case DecodeError::bad_agent_id:
      return "bad_agent_id";
    case DecodeError::bad_syntax:
      return "bad_syntax";
    case DecodeError::missing_field:
      return "missing_field";
    case DecodeError::wrong_field_type:
      return "wrong_field_type";
  }
  return "unknown";
}

}  // namespace cw::events
