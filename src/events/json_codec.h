// events/json_codec.h — the JSON form of an Event (for `chronowatch events --json`, the REST API
// and debugging): agent_id, sequence, type, severity, timestamp (ISO 8601 µs UTC), timestamp_ns,
// data_type + data (fields by name, durations in integer ns), attributes. Layout:
// docs/wire-format.md §7. Not the seed-000 MQTT drift payload (events/drift_json.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.h"
#include "events/decode_error.h"
#include "events/event.h"

namespace cw::events {

nlohmann::ordered_json event_to_json(const Event& event);
// One line, no trailing newline; invalid UTF-8 in strings is replaced, never thrown.
std::string encode_json(const Event& event);

// Reads what event_to_json writes. timestamp_ns wins over timestamp when both are present; data
// fields that are absent are zero; strings and counts are held to decode_error.h's limits.
Result<Event, DecodeError> event_from_json(const nlohmann::ordered_json& json);
Result<Event, DecodeError> decode_json(std::string_view text);

nlohmann::ordered_json identity_to_json(const AgentIdentity& identity);

}  // namespace cw::events
